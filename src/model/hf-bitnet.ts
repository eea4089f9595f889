/**
 * The BitNet parts of a Hugging Face BitNetForCausalLM folder (transformers 5.18.0, models/bitnet and
 * integrations/bitnet.py), browser-safe: `quantization_config` → the weight_scale convention, `hidden_act` → the FFN
 * activation, and a packed uint8 weight with its `weight_scale` → a ternary PackedMatrix and its output scale.
 * Implements spec/forward.md §10.5 and spec/bitnet.md §7.
 *
 *   model.layers.N.self_attn.{q,k,v,o}_proj.weight   U8 [out/4, in]   + .weight_scale [1]
 *   model.layers.N.mlp.{gate,up,down}_proj.weight     U8 [out/4, in]   + .weight_scale [1]
 *   model.layers.N.self_attn.attn_sub_norm.weight     [nHeads·headDim] (BitNetAttention.attn_sub_norm)
 *   model.layers.N.mlp.ffn_sub_norm.weight            [intermediate]   (BitNetMLP.ffn_sub_norm)
 *
 * The ternary values are stored as TQ2_0 rows with block scale 1 (0 for an all-zero block): exact, 2.06 bits per
 * weight, and the type llama.cpp's own bitnet GGUFs use, so the weights are ggml's and the scale stays a separate
 * per-tensor factor (LayerWeights.outputScales) as in both transformers and llama.cpp.
 */

import {
  dequantizeRow,
  GgmlType,
  hfBitnetProblems,
  quantizeRow,
  QK_K,
  TQ2_0_BLOCK_BYTES,
  unpackHfBitnet,
  type HfBitnetScaleConvention,
} from "../../reference/codec/index.js";
import type { FfnActivation } from "../../reference/model/config.js";
import type { PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { LinearOutputScale } from "../../reference/model/weights.js";
import { InputError } from "../errors.js";
import {
  ggmlTypeOfDtype,
  isSafetensorsDtype,
  type SafetensorsStoredDtype,
  type SafetensorsTensor,
} from "../safetensors/index.js";

/** The keys transformers' BitNetQuantConfig takes (utils/quantization_config.py). */
const QUANTIZATION_KEYS = [
  "quant_method",
  "linear_class",
  "quantization_mode",
  "use_rms_norm",
  "rms_norm_eps",
  "modules_to_not_convert",
];

/** A JSON value for a message, shortened. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * The weight_scale convention of a BitNet config.json's `quantization_config`, as transformers 5.18 chooses the
 * linear class (replace_with_bitnet_linear): linear_class "autobitlinear" with quantization_mode "offline" →
 * AutoBitLinear, output · weight_scale ("multiply"); linear_class "bitlinear" (BitNetQuantConfig's default when the
 * key is absent) → BitLinear, output / weight_scale ("divide"), whatever the mode. InputError naming config.json and
 * the key for anything else: no quantization_config, another quant_method, AutoBitLinear "online" (float weights
 * re-quantized every forward), use_rms_norm true (an extra RMSNorm inside every linear), a module kept in float
 * other than lm_head, an unknown key. Spec forward.md §10.5, bitnet.md §7.3.
 */
export function hfBitnetScaleConvention(configFile: string, quantization: unknown): HfBitnetScaleConvention {
  const refuse = (problem: string): never => {
    throw new InputError(configFile, problem);
  };
  if (quantization === undefined || quantization === null)
    refuse("BitNetForCausalLM without 'quantization_config': the oracle reads packed BitNet checkpoints only");
  if (typeof quantization !== "object" || quantization === null || Array.isArray(quantization))
    refuse(`key 'quantization_config' must be an object, got ${shown(quantization)}`);
  const q = quantization as Record<string, unknown>;
  const unknown = Object.keys(q).find((key) => !QUANTIZATION_KEYS.includes(key));
  if (unknown !== undefined) refuse(`unsupported key 'quantization_config.${unknown}'`);
  if (q.quant_method !== "bitnet")
    refuse(`quantization_config.quant_method ${shown(q.quant_method)} is not supported (only "bitnet")`);
  if (q.use_rms_norm !== undefined && q.use_rms_norm !== false)
    refuse(`quantization_config.use_rms_norm ${shown(q.use_rms_norm)} is not supported (only false)`);
  const keptInFloat = q.modules_to_not_convert ?? ["lm_head"];
  if (!Array.isArray(keptInFloat) || keptInFloat.some((m) => m !== "lm_head"))
    refuse(`quantization_config.modules_to_not_convert ${shown(keptInFloat)} is not supported (only ["lm_head"])`);
  const linearClass = q.linear_class ?? "bitlinear";
  const mode = q.quantization_mode ?? "offline";
  if (mode !== "offline" && mode !== "online")
    refuse(`quantization_config.quantization_mode ${shown(mode)} is not "offline" or "online"`);
  if (linearClass === "bitlinear") return "divide";
  if (linearClass !== "autobitlinear")
    refuse(`quantization_config.linear_class ${shown(linearClass)} is not "bitlinear" or "autobitlinear"`);
  if (mode === "online")
    refuse(`quantization_config.quantization_mode "online" is not supported (float weights quantized at run time)`);
  return "multiply";
}

/** The FFN activation of a BitNet config.json's `hidden_act`: "relu2" or "silu"; InputError naming the key otherwise. */
export function hfBitnetActivation(configFile: string, hiddenAct: unknown): FfnActivation {
  const act = hiddenAct ?? "relu2"; // BitNetConfig's default
  if (act === "relu2" || act === "silu") return act;
  throw new InputError(configFile, `hidden_act ${shown(act)} is not supported (the oracle runs "relu2" or "silu")`);
}

/** A tensor of a checkpoint with the file it is in (the pieces hfBitnetLinear reads). */
export interface HfBitnetTensorRef {
  readonly file: string;
  readonly tensor: SafetensorsTensor<SafetensorsStoredDtype>;
}

/**
 * A packed BitNet linear `weight` (U8 [rows/4, cols]) and its `scale` tensor (one float) → W as TQ2_0 rows
 * (block scale 1) and its output scale {value, op: convention}. InputError naming the file and tensor for a wrong
 * dtype or shape, cols not a multiple of 256 (TQ2_0's block), a code 3, or a scale that is not positive and finite.
 * Spec forward.md §10.5, bitnet.md §7.
 */
export function hfBitnetLinear(
  weight: HfBitnetTensorRef,
  scale: HfBitnetTensorRef,
  rows: number,
  cols: number,
  convention: HfBitnetScaleConvention,
): { readonly matrix: PackedMatrix; readonly scale: LinearOutputScale } {
  const { tensor } = weight;
  const at = `tensor '${tensor.name}'`;
  const expected = `[${rows / 4}, ${cols}]`;
  if (tensor.dtype !== "U8" || tensor.shape.length !== 2 || tensor.shape[0] * 4 !== rows || tensor.shape[1] !== cols)
    throw new InputError(
      weight.file,
      `${at} is ${tensor.dtype} [${tensor.shape.join(", ")}], expected packed U8 ${expected} (out/4, in)`,
    );
  if (cols % QK_K !== 0)
    throw new InputError(
      weight.file,
      `${at} has ${cols} columns, not a multiple of 256 (the oracle stores it as TQ2_0)`,
    );
  const s = scale.tensor;
  if (!isSafetensorsDtype(s.dtype) || s.shape.reduce((n, d) => n * d, 1) !== 1)
    throw new InputError(scale.file, `tensor '${s.name}' is ${s.dtype} [${s.shape.join(", ")}], expected one float`);
  const value = dequantizeRow(ggmlTypeOfDtype(s.dtype), s.data, 1)[0];
  const problems = hfBitnetProblems(tensor.data, rows, cols, value);
  if (problems.length > 0) throw new InputError(weight.file, `${at}: ${problems[0]}`);
  const ternary = unpackHfBitnet(tensor.data, rows / 4, cols);
  const rowBytes = (cols / QK_K) * TQ2_0_BLOCK_BYTES;
  const data = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++)
    data.set(quantizeRow(GgmlType.TQ2_0, Float32Array.from(ternary.subarray(r * cols, (r + 1) * cols))), r * rowBytes);
  return { matrix: { type: GgmlType.TQ2_0, rows, cols, data }, scale: { value, op: convention } };
}
