/**
 * `trilm decode <format> <input> <output> [--shape R,C] [--validate]`: packed blocks → float32 .npy,
 * bit-exact with ggml's dequantize_row_*.
 */

import { constants as bufferConstants } from "node:buffer";
import type { Command } from "commander";
import {
  GgmlType,
  dequantizeRow,
  validateTq1_0Row,
  validateTq2_0Row,
  type BlockFinding,
  type GgmlTypeTraits,
} from "../../../reference/codec/index.js";
import { InputError, UsageError } from "../../errors.js";
import { inputFileSize, readInputFile } from "../../io/input-file.js";
import { formatNpyHeader, pythonTupleRepr, serializeNpy } from "../../io/npy.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { refuseOutputOverInput } from "../output-path.js";
import { parseShapeOption } from "../shape-option.js";
import { BLOCK_FORMAT_NAMES, typeNameParser } from "../type-argument.js";

const EXAMPLES = `
Examples:
  $ trilm decode tq2_0 weights.tq2_0.bin weights.npy --shape 2,4096
      2 rows × 16 blocks of 66 bytes → a float32 array of shape (2, 4096)
  $ trilm decode tq1_0 suspicious.bin out.npy --validate
      also list blocks the reference encoder would never write (alias bytes, code 3, odd scales)`;

/** The options commander collects for `decode`. */
interface DecodeOptions {
  readonly shape?: number[];
  readonly validate?: boolean;
}

/** The row validator of each format that has one. */
const VALIDATORS: ReadonlyMap<GgmlType, (bytes: Uint8Array) => BlockFinding[]> = new Map([
  [GgmlType.TQ1_0, validateTq1_0Row],
  [GgmlType.TQ2_0, validateTq2_0Row],
]);

/** Number of whole blocks in a file of `size` bytes; InputError when there is a partial block. */
function blockCount(traits: GgmlTypeTraits, size: number, input: string): number {
  if (size % traits.typeSize !== 0) {
    throw new InputError(
      input,
      `is ${size} bytes, not a whole number of ${traits.typeSize}-byte ${traits.name} blocks ` +
        `(${Math.floor(size / traits.typeSize)} blocks and ${size % traits.typeSize} bytes left over)`,
    );
  }
  return size / traits.typeSize;
}

/** The output shape: `--shape` when given (it must hold exactly `count` values), else `[count]`. */
function outputShape(
  requested: readonly number[] | undefined,
  count: number,
  traits: GgmlTypeTraits,
  input: string,
): number[] {
  if (requested === undefined) return [count];
  const rowLength = requested[requested.length - 1];
  if (rowLength % traits.blockSize !== 0) {
    throw new UsageError(
      `--shape ${requested.join(",")}: the last dimension ${rowLength} is not a multiple of ${traits.blockSize}`,
    );
  }
  const product = requested.reduce((p, n) => p * n, 1);
  if (product !== count) {
    throw new InputError(
      input,
      `--shape ${requested.join(",")} holds ${product} values, but the file's ${count / traits.blockSize} ${traits.name} blocks hold ${count}`,
    );
  }
  return [...requested];
}

/** InputError when the decoded .npy would be larger than one buffer can hold. */
function requireWritableSize(shape: readonly number[], count: number, input: string): void {
  const bytes = formatNpyHeader("<f4", shape).length + 4 * count;
  if (bytes > bufferConstants.MAX_LENGTH) {
    throw new InputError(
      input,
      `decodes to ${count} float32 values (${bytes} bytes as .npy), more than the ${bufferConstants.MAX_LENGTH} bytes trilm can write at once`,
    );
  }
}

/** One line per finding, then a count. */
function printFindings(findings: readonly BlockFinding[], blocks: number, io: CliIo): void {
  for (const f of findings)
    writeLine(io.stdout, `block ${f.block} byte ${f.byte}: ${f.kind} (${f.severity}): ${f.message}`);
  const counted =
    findings.length === 0 ? "no findings" : `${findings.length} finding${findings.length === 1 ? "" : "s"}`;
  writeLine(io.stdout, `validate: ${counted} in ${blocks} block${blocks === 1 ? "" : "s"}`);
}

function decode(traits: GgmlTypeTraits, input: string, output: string, options: DecodeOptions, io: CliIo): void {
  const validator = VALIDATORS.get(traits.type);
  if (options.validate === true && validator === undefined) {
    throw new UsageError(`--validate checks tq1_0 and tq2_0 blocks, not ${traits.name}`);
  }
  refuseOutputOverInput(output, input);
  const blocks = blockCount(traits, inputFileSize(input), input);
  const count = blocks * traits.blockSize;
  const shape = outputShape(options.shape, count, traits, input);
  requireWritableSize(shape, count, input);
  const bytes = readInputFile(input);
  if (options.validate === true && validator !== undefined) printFindings(validator(bytes), blocks, io);
  const values = dequantizeRow(traits.type, bytes, count);
  writeFileAtomic(output, serializeNpy({ dtype: "<f4", shape, data: values }));
  writeLine(
    io.stdout,
    `decoded ${blocks} ${traits.name} blocks (${bytes.length} bytes) → ${count} float32 values, shape ${pythonTupleRepr(shape)} → ${output}`,
  );
}

/** Add the `decode` command to `program`. */
export function registerDecode(program: Command, io: CliIo): void {
  program
    .command("decode")
    .summary("decode packed TQ1_0, TQ2_0 or Q8_K blocks to a float32 .npy")
    .description(
      "Decode packed blocks (rows one after another, as in a GGUF tensor's data) to float32, bit-exact with " +
        "ggml's dequantize_row_*, and write them as a .npy array.",
    )
    .argument("<format>", `block format: ${BLOCK_FORMAT_NAMES.join(", ")}`, typeNameParser(BLOCK_FORMAT_NAMES))
    .argument("<input>", "packed blocks (a whole number of blocks)")
    .argument("<output>", "float32 .npy file to write")
    .option("--shape <dims>", "shape of the output, e.g. 2,4096 (default: one dimension)", parseShapeOption)
    .option("--validate", "tq1_0/tq2_0: list what the reference encoder never writes, then decode anyway")
    .addHelpText("after", EXAMPLES)
    .action((format: GgmlTypeTraits, input: string, output: string, options: DecodeOptions) =>
      decode(format, input, output, options, io),
    );
}
