/**
 * `trilm encode <format> <input> <output>`: float32 values → packed blocks, byte for byte what
 * ggml's reference quantizer writes into a GGUF tensor's data.
 */

import type { Command } from "commander";
import { bitsPerWeight, quantizeRow, type GgmlTypeTraits } from "../../../reference/codec/index.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { readFloatRows } from "../float-input.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { refuseOutputOverInput } from "../output-path.js";
import { BLOCK_FORMAT_NAMES, typeNameParser } from "../type-argument.js";

const EXAMPLES = `
Examples:
  $ trilm encode tq2_0 weights.npy weights.tq2_0.bin
      a float32 array of shape (rows, 4096) → rows × 16 blocks of 66 bytes
  $ trilm encode q8_K activations.f32 activations.q8_K.bin
      raw little-endian float32 (a multiple of 256 values) → one row of 292-byte blocks`;

function encode(traits: GgmlTypeTraits, input: string, output: string, io: CliIo): void {
  refuseOutputOverInput(output, input);
  const rows = readFloatRows(input, traits.blockSize);
  const packed = quantizeRow(traits.type, rows.values);
  writeFileAtomic(output, packed);
  const blocks = rows.values.length / traits.blockSize;
  writeLine(
    io.stdout,
    `encoded ${rows.rowCount} × ${rows.rowLength} values as ${traits.name}: ` +
      `${blocks} blocks, ${packed.length} bytes, ${bitsPerWeight(traits)} bpw → ${output}`,
  );
}

/** Add the `encode` command to `program`. */
export function registerEncode(program: Command, io: CliIo): void {
  program
    .command("encode")
    .summary("encode float32 values as packed TQ1_0, TQ2_0 or Q8_K blocks")
    .description(
      "Encode float32 values with ggml's reference quantizer. The output is the packed blocks, rows one after " +
        "another, exactly as a GGUF tensor's data.",
    )
    .argument("<format>", `block format: ${BLOCK_FORMAT_NAMES.join(", ")}`, typeNameParser(BLOCK_FORMAT_NAMES))
    .argument("<input>", "float32 .npy (C order, last dimension a multiple of 256) or raw little-endian .f32")
    .argument("<output>", "file for the packed blocks")
    .addHelpText("after", EXAMPLES)
    .action((format: GgmlTypeTraits, input: string, output: string) => encode(format, input, output, io));
}
