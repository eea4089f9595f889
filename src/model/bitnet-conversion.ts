/**
 * `trilm convert` between BitNet formats (browser-safe): a loaded BitNet model — from a Hugging Face BitNet folder,
 * a llama.cpp `bitnet` GGUF or a bitnet.cpp I2_S GGUF — to a GGUF file (tq2_0, tq1_0, i2_s: convert-bitnet.ts) or a
 * Hugging Face BitNet folder (hf-bitnet: convert-hf-bitnet.ts), losslessly, or an InputError naming the source and
 * the tensor (or option) that would lose information. Implements spec/forward.md §17.8.
 */

import type { HfBitnetScaleConvention } from "../../reference/codec/index.js";
import type { FfnActivation } from "../../reference/model/config.js";
import { InputError } from "../errors.js";
import type { GgufFile } from "../gguf/index.js";
import { BitnetConversionRefusal } from "./bitnet-linears.js";
import { BITNET_GGUF_TYPES, convertBitnetToGguf, type BitnetGgufType } from "./convert-bitnet.js";
import { convertBitnetToHf, type HfBitnetFolder } from "./convert-hf-bitnet.js";
import type { LoadedModel } from "./gguf-model.js";
import type { HfCheckpoint } from "./hf-model.js";

/** What a BitNet model converts to: a GGUF type, or a Hugging Face BitNet folder. */
export type BitnetTarget = BitnetGgufType | "hf-bitnet";

/** All BitnetTargets, in the order the CLI lists them. */
export const BITNET_TARGETS: readonly BitnetTarget[] = [...BITNET_GGUF_TYPES, "hf-bitnet"];

/** The source of a conversion: the model and what its file records. */
export interface BitnetSource {
  /** The path given, for messages. */
  readonly name: string;
  readonly model: LoadedModel;
  /** Whether the source names its FFN activation (a Hugging Face config.json does; a GGUF file does not). */
  readonly activationKnown: boolean;
  /** A GGUF source's general.name (the default general.name of a GGUF output). */
  readonly modelName?: string;
}

/** How to convert. */
export interface BitnetConvertOptions {
  readonly type: BitnetTarget;
  /** general.name of a GGUF output. */
  readonly name: string;
  /** hf-bitnet: the weight_scale convention (required). */
  readonly weightScale?: HfBitnetScaleConvention;
  /** hf-bitnet: hidden_act, required from a GGUF source. */
  readonly ffnActivation?: FfnActivation;
}

/** What was made. */
export type BitnetConversion =
  { readonly kind: "gguf"; readonly gguf: GgufFile } | { readonly kind: "hf"; readonly folder: HfBitnetFolder };

/** Does the checkpoint's config.json name the BitNet architecture (BitNetForCausalLM or model_type "bitnet")? */
export function isHfBitnetCheckpoint(checkpoint: HfCheckpoint): boolean {
  const config = checkpoint.config;
  if (typeof config !== "object" || config === null || Array.isArray(config)) return false;
  const { architectures, model_type: modelType } = config as Record<string, unknown>;
  return modelType === "bitnet" || (Array.isArray(architectures) && architectures.includes("BitNetForCausalLM"));
}

/** Convert `source` (see the module comment); `outputName` names a GGUF output. */
export function convertBitnet(
  source: BitnetSource,
  outputName: string,
  options: BitnetConvertOptions,
): BitnetConversion {
  try {
    if (options.type === "hf-bitnet") {
      if (options.weightScale === undefined)
        throw new BitnetConversionRefusal(
          "--type hf-bitnet needs --weight-scale multiply|divide (how the folder's weight_scale is used)",
        );
      const target = { weightScale: options.weightScale, ffnActivation: options.ffnActivation };
      return { kind: "hf", folder: convertBitnetToHf(source.model, target, source.activationKnown) };
    }
    return { kind: "gguf", gguf: convertBitnetToGguf(source.model, options.type, outputName, options.name) };
  } catch (error) {
    if (error instanceof BitnetConversionRefusal) throw new InputError(source.name, error.message);
    throw error;
  }
}
