/**
 * One ternary weight from one format to another (browser-safe; src/cli/commands/convert-weights.ts does the file
 * I/O), through reference/codec/trirun-convert.ts (spec/trirun.md §10). The forms on disk:
 *
 *   tq2_0, tq1_0   raw blocks (n rows of k/256 blocks; k and n given), or a tensor of a GGUF file (by name)
 *   hf-ternary     a 2-D F32/F16/BF16 tensor [n, k] of a safetensors file (by name), values t·scale (input only)
 *   trirun         a safetensors file with `B` and `s` (src/model/trirun-files.ts)
 *
 * Conversions: tq2_0 / tq1_0 / hf-ternary / trirun → trirun, and trirun → tq2_0 / tq1_0. A conversion the formats
 * do not allow is an InputError naming the input file and the reason.
 */

import { GgmlType, dequantizeRow, ggmlTypeTraits } from "../../reference/codec/index.js";
import {
  TrirunConversionError,
  regroupTrirun,
  ternaryValuesToTrirun,
  tqToTrirun,
  trirunToTq,
  type TqFormat,
  type TqMatrix,
  type TrirunGroupChoice,
} from "../../reference/codec/trirun-convert.js";
import { TrirunShapeError, packTrirun, unpackTrirun, type TrirunMatrix } from "../../reference/codec/trirun.js";
import { InputError, UsageError } from "../errors.js";
import { parseGguf } from "../gguf/index.js";
import { ggmlTypeOfDtype, parseSafetensors } from "../safetensors/index.js";
import { parseTrirunWeight, serializeTrirunWeight } from "./trirun-files.js";

/** The formats `convert-weights` reads. */
export type WeightFormat = TqFormat | "hf-ternary" | "trirun";

/** Every input format, in the order the CLI lists them. */
export const WEIGHT_INPUT_FORMATS: readonly WeightFormat[] = ["tq2_0", "tq1_0", "hf-ternary", "trirun"];

/** The formats `convert-weights` writes. */
export type WeightOutputFormat = TqFormat | "trirun";

/** Every output format, in the order the CLI lists them. */
export const WEIGHT_OUTPUT_FORMATS: readonly WeightOutputFormat[] = ["trirun", "tq2_0", "tq1_0"];

/** One input weight: its file's bytes and how to read them. */
export interface WeightInput {
  readonly format: WeightFormat;
  /** The file's name, for errors; a TQ input whose name ends in .gguf is read as GGUF. */
  readonly fileName: string;
  readonly bytes: Uint8Array;
  /** The tensor's name (GGUF and safetensors inputs). */
  readonly tensor?: string;
  /** Inputs and outputs of a raw TQ input. */
  readonly k?: number;
  readonly n?: number;
}

/** The converted weight: the bytes to write, one line saying what they are, and carried-over oddities. */
export interface ConvertedWeight {
  readonly bytes: Uint8Array;
  readonly description: string;
  readonly warnings: readonly string[];
}

/** The TQ matrix of a TQ input (raw blocks with k and n, or a named GGUF tensor). */
function readTq(input: WeightInput, format: TqFormat): TqMatrix {
  if (input.fileName.toLowerCase().endsWith(".gguf")) {
    const name = requireTensorName(input);
    const tensor = parseGguf(input.bytes, input.fileName).tensor(name);
    if (tensor === undefined) throw new InputError(input.fileName, `has no tensor '${name}'`);
    const expected = format === "tq2_0" ? GgmlType.TQ2_0 : GgmlType.TQ1_0;
    if (tensor.type !== expected || tensor.ne.length !== 2) {
      const type = ggmlTypeTraits(tensor.type)?.name ?? String(tensor.type);
      throw new InputError(
        input.fileName,
        `tensor '${name}' is ${type} [${tensor.ne.join(", ")}], not a 2-D ${format} matrix`,
      );
    }
    return { format, k: tensor.ne[0], n: tensor.ne[1], data: tensor.data };
  }
  if (input.k === undefined || input.n === undefined) {
    throw new UsageError(`--k and --n are required for a raw ${format} input (${input.fileName})`);
  }
  return { format, k: input.k, n: input.n, data: input.bytes };
}

function requireTensorName(input: WeightInput): string {
  if (input.tensor === undefined) throw new UsageError(`--tensor is required to read ${input.fileName}`);
  return input.tensor;
}

/** The values [n, k] of a hf-ternary input, decoded to float32 exactly. */
function readHfTernary(input: WeightInput): { values: Float32Array; n: number; k: number } {
  const name = requireTensorName(input);
  const tensor = parseSafetensors(input.bytes, input.fileName).tensors.get(name);
  if (tensor === undefined) throw new InputError(input.fileName, `has no tensor '${name}'`);
  if (tensor.shape.length !== 2) {
    throw new InputError(input.fileName, `tensor '${name}' has shape [${tensor.shape.join(", ")}], not [n, k]`);
  }
  const [n, k] = tensor.shape;
  return { values: dequantizeRow(ggmlTypeOfDtype(tensor.dtype), tensor.data, n * k), n, k };
}

/** The TriRun matrix of any input, with its warnings. */
function readAsTrirun(
  input: WeightInput,
  groupSize: TrirunGroupChoice,
): { matrix: TrirunMatrix; warnings: readonly string[] } {
  switch (input.format) {
    case "tq2_0":
    case "tq1_0": {
      const { result, warnings } = tqToTrirun(readTq(input, input.format), groupSize);
      return { matrix: result, warnings };
    }
    case "hf-ternary": {
      const { values, n, k } = readHfTernary(input);
      return { matrix: ternaryValuesToTrirun(values, n, k, groupSize), warnings: [] };
    }
    case "trirun": {
      const matrix = unpackTrirun(parseTrirunWeight(input.bytes, input.fileName));
      return { matrix: groupSize === "auto" ? matrix : regroupTrirun(matrix, groupSize), warnings: [] };
    }
  }
}

/** `input` converted to `to` (see the module comment). InputError naming the input file where it cannot be. */
export function convertWeight(
  input: WeightInput,
  to: WeightOutputFormat,
  groupSize: TrirunGroupChoice,
): ConvertedWeight {
  if (to !== "trirun" && input.format !== "trirun") {
    throw new UsageError(
      `--from ${input.format} --to ${to}: only trirun converts to ${to} (use trilm quantize or convert)`,
    );
  }
  try {
    if (to === "trirun") {
      const { matrix, warnings } = readAsTrirun(input, groupSize);
      const group = matrix.groupSize === -1 ? "per column" : `groups of ${matrix.groupSize}`;
      const description = `TriRun k=${matrix.k}, n=${matrix.n}, ${group} (B, s)`;
      return { bytes: serializeTrirunWeight(packTrirun(matrix)), description, warnings };
    }
    const { matrix } = readAsTrirun(input, "auto");
    const { result, warnings } = trirunToTq(matrix, to);
    return { bytes: result.data, description: `${to} k=${result.k}, n=${result.n} (raw blocks)`, warnings };
  } catch (error) {
    if (error instanceof TrirunConversionError || error instanceof TrirunShapeError) {
      throw new InputError(input.fileName, error.message);
    }
    throw error;
  }
}
