/**
 * `trilm make-model --preset <name> --seed S [--type tq2_0|tq1_0|f16] <out.gguf>`: write a random
 * TriLM of a published shape (src/model/random-model.ts), streamed to disk tensor by tensor and
 * row by row, atomically. `--arch bitnet [--preset bitnet-tiny] [--scale-tensors]`: a file of llama.cpp's
 * bitnet architecture (spec/forward.md §17).
 */

import { InvalidArgumentError, Option, type Command } from "commander";
import type { DecoderArchitecture } from "../../../reference/model/config.js";
import {
  BITNET_PRESET_NAMES,
  findPreset,
  parameterCount,
  TRILM_PRESETS,
  TRILM_PRESET_NAMES,
  type TrilmPreset,
} from "../../../reference/model/presets.js";
import { planRandomTrilm, RANDOM_MODEL_TYPES, type RandomModelType } from "../../model/random-model.js";
import { randomTrilmFileSizes } from "../../model/random-model-size.js";
import { writePlannedGguf } from "../../model/stream-gguf.js";
import { readGgufFile } from "../../gguf/file.js";
import { cutBpeVocabulary } from "../../tokenizer/cut-vocab.js";
import { UsageError } from "../../errors.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { isTerminal, parseSeedOption } from "./run.js";

/** The options commander collects for `make-model`. */
interface MakeModelOptions {
  readonly arch: DecoderArchitecture;
  readonly preset?: TrilmPreset;
  readonly scaleTensors?: boolean;
  readonly seed: string;
  readonly type: RandomModelType;
  readonly vocab?: string;
}

const MIB = 1024 * 1024;

/** commander parser for --preset: a preset name, case-insensitive. */
function parsePreset(name: string): TrilmPreset {
  const preset = findPreset(name);
  if (preset === undefined)
    throw new InvalidArgumentError(`Expected one of ${[...TRILM_PRESET_NAMES, ...BITNET_PRESET_NAMES].join(", ")}.`);
  return preset;
}

/** The preset to build: --preset (required for llama; bitnet: default bitnet-tiny), of --arch's architecture. */
function chosenPreset(options: MakeModelOptions): TrilmPreset {
  const preset = options.preset ?? (options.arch === "bitnet" ? findPreset(BITNET_PRESET_NAMES[0]) : undefined);
  if (preset === undefined) throw new UsageError("required option '--preset <name>' not specified");
  const arch = preset.config.architecture ?? "llama";
  if (arch !== options.arch)
    throw new UsageError(`preset '${preset.name}' is a ${arch} model, not ${options.arch} (--arch ${options.arch})`);
  return preset;
}

/** "123.4 MiB" or "1.52 GiB". */
function formatSize(bytes: number): string {
  return bytes >= 1024 * MIB ? `${(bytes / (1024 * MIB)).toFixed(2)} GiB` : `${(bytes / MIB).toFixed(1)} MiB`;
}

/** "99.0M" or "3.99B" parameters. */
function formatCount(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : `${(n / 1e6).toFixed(1)}M`;
}

/** The size of the file make-model writes for each preset and type (src/model/random-model-size.ts), as a help table. */
function sizeTable(): string {
  const header = ["preset", "params", "mp", ...RANDOM_MODEL_TYPES];
  const rows = TRILM_PRESETS.map((preset) => {
    const sizes = randomTrilmFileSizes(preset);
    return [
      preset.name,
      formatCount(parameterCount(preset.config)),
      String(preset.modelParallel),
      ...RANDOM_MODEL_TYPES.map((type) => formatSize(sizes.get(type)!)),
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const render = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return [render(header), ...rows.map(render)].map((line) => `  ${line}`).join("\n");
}

/** Writes "make-model: 45% (…)" over one stderr line when stderr is a terminal. */
function progressReporter(io: CliIo): { update: (written: number, total: number) => void; clear: () => void } {
  if (!isTerminal(io.stderr)) return { update: () => {}, clear: () => {} };
  return {
    update: (written, total) =>
      io.stderr.write(
        `\r\x1b[Kmake-model: ${Math.floor((100 * written) / total)}% (${formatSize(written)} of ${formatSize(total)})`,
      ),
    clear: () => io.stderr.write("\r\x1b[K"),
  };
}

function makeModel(output: string, options: MakeModelOptions, io: CliIo): void {
  const preset = chosenPreset(options);
  const seed = parseSeedOption(options.seed);
  const vocabulary =
    options.vocab === undefined ? undefined : cutBpeVocabulary(readGgufFile(options.vocab), preset.config.vocabSize);
  const plan = planRandomTrilm(preset, seed, options.type, vocabulary, { scaleTensors: options.scaleTensors });
  const progress = progressReporter(io);
  let bytes: number;
  try {
    bytes = writePlannedGguf(output, plan, progress.update);
  } finally {
    progress.clear();
  }
  const c = preset.config;
  writeLine(
    io.stdout,
    `wrote ${output} (${bytes} bytes): ${plan.modelName}, ternary matrices ${options.type}, ${formatCount(parameterCount(c))} parameters`,
  );
  writeLine(
    io.stdout,
    `  dim ${c.dim}, ffn ${c.hiddenDim}, ${c.nLayers} layers, ${c.nHeads} heads (${c.nKvHeads} kv, ` +
      `head dim ${c.headDim}), vocab ${c.vocabSize}, context ${c.contextLength}, ${preset.modelParallel} scale shard(s) per matrix`,
  );
  if (c.architecture === "bitnet")
    writeLine(
      io.stdout,
      `  bitnet: sub-norms, tied lm head${options.scaleTensors === true ? ", .scale tensors" : ""}; the FFN activation is ` +
        "not in the file (run --ffn-activation silu|relu2, spec/forward.md §17.3)",
    );
}

const EXAMPLES = `
Examples:
  $ trilm make-model --preset tiny --seed 1 --vocab golden/external/llama-tokenize/ggml-vocab-gpt-neox.gguf golden/models/trilm-tiny-tq2_0.gguf
      the embedded default model, byte for byte (the GPT-NeoX vocabulary cut to 512 tokens)
  $ trilm make-model --preset 99m --seed 7 --type f16 trilm-99m-f16.gguf
  $ trilm make-model --arch bitnet --scale-tensors --seed 1 bitnet-tiny-tq2_0.gguf
      BitNet b1.58-2B-4T's layout scaled down, as llama.cpp's bitnet architecture`;

/** Add the `make-model` command to `program`. */
export function registerMakeModel(program: Command, io: CliIo): void {
  program
    .command("make-model")
    .summary("write a random TriLM of a published shape (tiny, 99m … 3.9b) as GGUF")
    .description(
      "Write a random TriLM of a published Spectra shape as a GGUF file of the llama architecture, the same bytes " +
        "for the same preset, seed and type on every machine. Each of the seven matrices of a layer is ternary " +
        "(P(0) = 0.4) times one fp16 scale per model-parallel shard (~1.25/sqrt(fan_in), like trained absmean " +
        "scales; column-parallel q, k, v, gate, up shard their output rows, row-parallel o, down their input " +
        "columns on 256-element block boundaries, so TQ storage is exact); token embedding and output are random " +
        "F16 (untied), norm weights F32 near 1; the vocabulary is --vocab's cut to the preset's size, else a " +
        "placeholder that lets llama.cpp load the file. The file is " +
        "generated and written tensor by tensor, row by row (little memory even for 3.9b), atomically; progress " +
        "goes to stderr when it is a terminal.",
    )
    .argument("<output>", "GGUF file to write")
    .addOption(
      new Option(
        "--preset <name>",
        `model shape: ${TRILM_PRESET_NAMES.join(", ")}; bitnet: ${BITNET_PRESET_NAMES.join(", ")} (its default)`,
      ).argParser(parsePreset),
    )
    .addOption(
      new Option("--arch <architecture>", "GGUF architecture: llama (TriLM) or bitnet (llama.cpp's BitNet b1.58 graph)")
        .choices(["llama", "bitnet"])
        .default("llama"),
    )
    .option(
      "--scale-tensors",
      "bitnet: store each matrix as its trits and its scale as the F32 tensor blk.N.<linear>.scale (llama.cpp multiplies the matmul output by it)",
    )
    .addOption(
      new Option("--seed <S>", "seed, 0 to 4294967295: the same seed gives the same bytes").makeOptionMandatory(),
    )
    .addOption(
      new Option("--type <type>", "storage of the ternary matrices").choices(RANDOM_MODEL_TYPES).default("tq2_0"),
    )
    .option(
      "--vocab <file.gguf>",
      "take the byte-level BPE (gpt2) vocabulary of this GGUF file, cut to the preset's vocabulary size: its first " +
        "tokens, the merges among them, its special ids (all 256 byte tokens must be among the first tokens)",
    )
    .addHelpText("after", () => `\nOutput sizes (any seed):\n${sizeTable()}\n${EXAMPLES}`)
    .action((output: string, options: MakeModelOptions) => makeModel(output, options, io));
}
