/**
 * `trilm convert-weights <in> <out> --from tq2_0|tq1_0|hf-ternary|trirun --to trirun|tq2_0|tq1_0
 * [--group-size -1|128] [--tensor <name>] [--k K --n N] [--layout safetensors|npy]`: one ternary weight between
 * TQ blocks, an unpacked safetensors tensor and TriRun's B + s (a safetensors file, or a folder of B.npy, s.npy and
 * trirun.json), losslessly or refused with the reason (src/model/convert-weights.ts).
 */

import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { TrirunGroupChoice } from "../../../reference/codec/trirun-convert.js";
import { writeFileAtomic } from "../../io/atomic-write.js";
import { readInputFile } from "../../io/input-file.js";
import {
  WEIGHT_INPUT_FORMATS,
  WEIGHT_OUTPUT_FORMATS,
  convertWeight,
  type WeightFormat,
  type WeightOutputFormat,
} from "../../model/convert-weights.js";
import { parseTrirunWeight, serializeTrirunWeight } from "../../model/trirun-files.js";
import { readTrirunNpyFolder, trirunNpyPaths, writeTrirunNpyFolder } from "../../model/trirun-folder.js";
import { isDirectory } from "../../model/hf-folder.js";
import { UsageError } from "../../errors.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { refuseOutputOverInput } from "../output-path.js";

const EXAMPLES = `
Examples:
  $ trilm convert-weights model.gguf q.safetensors --from tq2_0 --tensor blk.0.attn_q.weight --to trirun --group-size 128
  $ trilm convert-weights q.bin q.safetensors --from tq1_0 --k 2048 --n 2048 --to trirun
  $ trilm convert-weights q.safetensors q.bin --from trirun --to tq2_0
  $ trilm convert-weights q.bin q-trirun/ --from tq2_0 --k 2048 --n 2048 --to trirun --layout npy
  $ trilm convert-weights q-trirun/ q.bin --from trirun --to tq1_0
  $ trilm convert-weights model.safetensors q.safetensors --from hf-ternary --tensor model.layers.0.self_attn.q_proj.weight --to trirun`;

/** The options commander collects for `convert-weights`. */
interface ConvertWeightsOptions {
  readonly from: WeightFormat;
  readonly to: WeightOutputFormat;
  readonly groupSize: TrirunGroupChoice;
  readonly tensor?: string;
  readonly k?: number;
  readonly n?: number;
  readonly layout: TrirunLayout;
}

/** How a TriRun output is written: one safetensors file, or a folder of B.npy, s.npy and trirun.json. */
type TrirunLayout = "safetensors" | "npy";

const TRIRUN_LAYOUTS: readonly TrirunLayout[] = ["safetensors", "npy"];

/** commander's parser for one of `names`. */
function oneOf<T extends string>(names: readonly T[]): (text: string) => T {
  return (text) => {
    const found = names.find((name) => name === text.toLowerCase());
    if (found === undefined) throw new InvalidArgumentError(`Expected ${names.join(", ")}.`);
    return found;
  };
}

/** commander's parser for --group-size. */
function parseGroupSize(text: string): TrirunGroupChoice {
  if (text === "-1") return -1;
  if (text === "128") return 128;
  throw new InvalidArgumentError("Expected -1 (per column) or 128.");
}

/** commander's parser for --k / --n. */
function parseCount(text: string): number {
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError("Expected a positive integer.");
  }
  return value;
}

/** The bytes convertWeight reads for `input`: the file, or a TriRun .npy folder as one safetensors weight. */
function inputBytes(input: string, options: ConvertWeightsOptions): Uint8Array {
  if (options.from === "trirun" && isDirectory(input)) return serializeTrirunWeight(readTrirunNpyFolder(input));
  return readInputFile(input);
}

function convertWeights(input: string, output: string, options: ConvertWeightsOptions, io: CliIo): void {
  const npy = options.layout === "npy";
  if (npy && options.to !== "trirun") throw new UsageError("--layout applies to --to trirun only");
  for (const path of npy ? Object.values(trirunNpyPaths(output)) : [output]) refuseOutputOverInput(path, input);
  const converted = convertWeight(
    {
      format: options.from,
      fileName: input,
      bytes: inputBytes(input, options),
      tensor: options.tensor,
      k: options.k,
      n: options.n,
    },
    options.to,
    options.groupSize,
  );
  if (npy) writeTrirunNpyFolder(output, parseTrirunWeight(converted.bytes, output));
  else writeFileAtomic(output, converted.bytes);
  for (const warning of converted.warnings) writeLine(io.stderr, `trilm: warning: ${input}: ${warning}`);
  const written = npy ? "in B.npy, s.npy, trirun.json" : `${converted.bytes.length} bytes`;
  writeLine(io.stdout, `wrote ${output}: ${converted.description}, ${written}`);
}

/** Add the `convert-weights` command to `program`. */
export function registerConvertWeights(program: Command, io: CliIo): void {
  program
    .command("convert-weights")
    .summary("convert one ternary weight between TQ2_0 / TQ1_0 / an unpacked tensor and TriRun (B, s)")
    .description(
      "Convert one ternary weight losslessly, or refuse with the reason (spec/trirun.md §10). Forms: tq2_0/tq1_0 " +
        "are raw blocks (n rows of k/256 blocks; give --k and --n) or, for a .gguf input, the tensor --tensor; " +
        "hf-ternary is the 2-D F32/F16/BF16 tensor --tensor [n, k] of a safetensors file, values 0 and ±scale " +
        "(input only); trirun is a safetensors file with I32 'B' [k/16, n] and F16 's' [groups, n] and " +
        "__metadata__ {k, n, groupsize}, or (--layout npy for output; a folder as input) a folder of B.npy '<i4' " +
        "(k/16, n), s.npy '<f2' (groups, n) and trirun.json {k, n, groupsize}, the arrays of a kernel case. " +
        "To TriRun, --group-size -1 keeps one scale per output column (refused " +
        "where a row has two), 128 one per 128 inputs (always possible from TQ); without it, per column where " +
        "lossless, else 128 (a trirun input keeps its own). TriRun converts back to tq2_0 or tq1_0 (raw blocks). " +
        "TriRun needs k % 128 = 0 and n % 256 = 0, TQ k % 256 = 0. The output is written atomically.",
    )
    .argument("<input>", "input file")
    .argument("<output>", "output file")
    .requiredOption("--from <format>", `input format: ${WEIGHT_INPUT_FORMATS.join(", ")}`, oneOf(WEIGHT_INPUT_FORMATS))
    .requiredOption("--to <format>", `output format: ${WEIGHT_OUTPUT_FORMATS.join(", ")}`, oneOf(WEIGHT_OUTPUT_FORMATS))
    .option(
      "--group-size <g>",
      "TriRun scales: -1 per column, 128 per 128 inputs (default: per column if lossless)",
      parseGroupSize,
      "auto" as TrirunGroupChoice,
    )
    .option("--tensor <name>", "tensor to read from a .gguf or safetensors input")
    .option("--k <k>", "inputs per row of a raw TQ input", parseCount)
    .option("--n <n>", "rows (outputs) of a raw TQ input", parseCount)
    .option(
      "--layout <layout>",
      "TriRun output: safetensors (one file) or npy (a folder: B.npy, s.npy, trirun.json)",
      oneOf(TRIRUN_LAYOUTS),
      "safetensors" as TrirunLayout,
    )
    .addHelpText("after", EXAMPLES)
    .action((input: string, output: string, options: ConvertWeightsOptions) =>
      convertWeights(input, output, options, io),
    );
}
