/**
 * `trilm quantize <in.gguf> <out.gguf> <tq1_0|tq2_0>`: llama-quantize to a ternary type,
 * reproduced byte for byte, with llama-quantize's per-tensor report.
 */

import type { Command } from "commander";
import { GgmlType, type GgmlTypeTraits } from "../../../reference/codec/index.js";
import { UsageError } from "../../errors.js";
import { readGgufFile, writeGgufFile } from "../../gguf/file.js";
import {
  ggmlTypeName,
  quantizeModel,
  type GgufFile,
  type QuantizeOptions,
  type TernaryTarget,
} from "../../gguf/index.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { refuseOutputOverInput } from "../output-path.js";
import { TENSOR_TYPE_NAMES, TERNARY_FORMAT_NAMES, typeNameParser } from "../type-argument.js";

const EXAMPLES = `
Examples:
  $ trilm quantize TriLM_99M-f16.gguf TriLM_99M-tq2_0.gguf tq2_0 --token-embedding-type f16 --output-tensor-type f16
      token embedding and output in f16, as llama.cpp's convert_hf_to_gguf.py --outtype tq2_0 leaves them
  $ trilm quantize tiny-f32.gguf tiny-tq1_0.gguf tq1_0 --token-embedding-type q8_0 --output-tensor-type q8_0`;

/** The options commander collects for `quantize`. */
interface QuantizeCommandOptions {
  readonly tokenEmbeddingType?: GgmlTypeTraits;
  readonly outputTensorType?: GgmlTypeTraits;
}

const MIB = 1024 * 1024;

/** `traits` as quantizeModel's target type. */
function ternaryTarget(traits: GgmlTypeTraits): TernaryTarget {
  if (traits.type === GgmlType.TQ1_0 || traits.type === GgmlType.TQ2_0) return traits.type;
  throw new UsageError(`quantize converts to tq1_0 or tq2_0, not ${traits.name}`);
}

/** C's `%w.pf`. */
function fixed(x: number, width: number, precision: number): string {
  return x.toFixed(precision).padStart(width);
}

/** llama_format_tensor_shape: four dimensions, each `%5d`. */
function llamaShape(ne: readonly number[]): string {
  return [0, 1, 2, 3].map((i) => String(ne[i] ?? 1).padStart(5)).join(", ");
}

/** llama-quantize's line for one tensor (llama_model_quantize_impl's LLAMA_LOG_INFO calls). */
function tensorLine(
  index: number,
  count: number,
  before: GgufFile["tensors"][number],
  after: GgufFile["tensors"][number],
): string {
  const head =
    `[${String(index).padStart(4)}/${String(count).padStart(4)}] ` +
    `${before.name.padEnd(36)} - [${llamaShape(before.ne)}], type = ${ggmlTypeName(before.type).padStart(6)}, `;
  if (before.type === after.type) return `${head}size = ${fixed(before.byteSize / MIB, 8, 3)} MiB`;
  return `${head}converting to ${ggmlTypeName(after.type)} .. size = ${fixed(before.byteSize / MIB, 8, 2)} MiB -> ${fixed(after.byteSize / MIB, 8, 2)} MiB`;
}

/** The per-tensor lines and the two totals, in the output's tensor order. */
function quantizeReport(input: GgufFile, output: GgufFile): string[] {
  const lines = output.tensors.map((after, i) => {
    const before = input.tensor(after.name);
    if (before === undefined)
      throw new Error(`quantizeModel produced tensor '${after.name}', which the input does not have`);
    return tensorLine(i + 1, output.tensors.length, before, after);
  });
  const sum = (file: GgufFile) => file.tensors.reduce((total, t) => total + t.byteSize, 0);
  return [
    ...lines,
    `model size  = ${fixed(sum(input) / MIB, 8, 2)} MiB`,
    `quant size  = ${fixed(sum(output) / MIB, 8, 2)} MiB`,
  ];
}

function quantize(
  inputPath: string,
  outputPath: string,
  target: GgmlTypeTraits,
  options: QuantizeCommandOptions,
  io: CliIo,
): void {
  refuseOutputOverInput(outputPath, inputPath);
  const input = readGgufFile(inputPath);
  const request: QuantizeOptions = {
    tokenEmbeddingType: options.tokenEmbeddingType?.type,
    outputTensorType: options.outputTensorType?.type,
  };
  const output = quantizeModel(input, ternaryTarget(target), request);
  writeGgufFile(outputPath, output);
  for (const line of quantizeReport(input, output)) writeLine(io.stdout, line);
  writeLine(io.stdout, `wrote ${outputPath} (${output.byteLength} bytes)`);
}

/** Add the `quantize` command to `program`. */
export function registerQuantize(program: Command, io: CliIo): void {
  const tensorType = typeNameParser(TENSOR_TYPE_NAMES);
  program
    .command("quantize")
    .summary("quantize a GGUF model to TQ1_0 or TQ2_0 exactly as llama-quantize does")
    .description(
      "Quantize a GGUF model to TQ1_0 or TQ2_0 with llama-quantize's rules: the same tensor types, tensor order, " +
        "metadata and bytes. llama-quantize would store token_embd.weight as q4_K and output.weight as q6_K, which " +
        "the oracle does not implement; choose their types with the two options. The output is written atomically.",
    )
    .argument("<input>", "GGUF v3 model (f32, f16 or bf16 weights)")
    .argument("<output>", "GGUF file to write")
    .argument("<type>", `target type: ${TERNARY_FORMAT_NAMES.join(", ")}`, typeNameParser(TERNARY_FORMAT_NAMES))
    .option("--token-embedding-type <type>", `type of token_embd.weight: ${TENSOR_TYPE_NAMES.join(", ")}`, tensorType)
    .option("--output-tensor-type <type>", `type of output.weight: ${TENSOR_TYPE_NAMES.join(", ")}`, tensorType)
    .addHelpText("after", EXAMPLES)
    .action((input: string, output: string, type: GgmlTypeTraits, options: QuantizeCommandOptions) =>
      quantize(input, output, type, options, io),
    );
}
