/**
 * `trilm convert <hf-dir> <out.gguf> [--type tq2_0|tq1_0|f16] [--name <name>]`: a Hugging Face
 * llama checkpoint (a TriLM "Unpacked" release) to GGUF, as llama.cpp's convert_hf_to_gguf.py
 * --outtype does, with a warning per matrix whose conversion is lossy.
 * `trilm convert <hf-dir|model.gguf> <out-dir> --type trirun [--group-size -1|128]`: every ternary linear
 * layer to TriRun's B + s in `<out-dir>/model.safetensors`, described by `<out-dir>/trirun.json`
 * (src/model/convert-trirun.ts).
 * `trilm convert <hf-dir|model.gguf> <out> --type tq2_0|tq1_0|i2_s|hf-bitnet [--weight-scale multiply|divide]
 * [--ffn-activation relu2|silu]`: a BitNet model between Hugging Face BitNet folders, llama.cpp bitnet GGUFs and
 * bitnet.cpp I2_S GGUFs, losslessly or refused (src/model/bitnet-conversion.ts, spec/forward.md §17.8).
 */

import { basename, resolve } from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { HfBitnetScaleConvention } from "../../../reference/codec/index.js";
import type { TrirunGroupChoice } from "../../../reference/codec/trirun-convert.js";
import type { FfnActivation } from "../../../reference/model/config.js";
import { readGgufFile, writeGgufFile } from "../../gguf/file.js";
import { ggmlTypeName, tensorTypeName } from "../../gguf/index.js";
import { CONVERT_TYPES, convertHfCheckpoint, type ConvertType } from "../../model/convert.js";
import {
  BITNET_TARGETS,
  convertBitnet,
  isHfBitnetCheckpoint,
  type BitnetSource,
  type BitnetTarget,
} from "../../model/bitnet-conversion.js";
import { modelFromGguf } from "../../model/gguf-model.js";
import { modelFromHf } from "../../model/hf-model.js";
import { hfBitnetFolderFiles, writeHfBitnetFolder } from "../../model/hf-bitnet-folder.js";
import { convertGgufToTrirun, convertHfToTrirun, type TrirunModelConversion } from "../../model/convert-trirun.js";
import { checkpointInputPaths, isDirectory, readHfCheckpoint } from "../../model/hf-folder.js";
import { trirunFolderFiles, writeTrirunFolder } from "../../model/trirun-folder.js";
import { UsageError } from "../../errors.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { refuseOutputOverInput } from "../output-path.js";

const EXAMPLES = `
Examples:
  $ trilm convert TriLM_99M_Unpacked/ TriLM_99M-tq2_0.gguf --type tq2_0
  $ trilm convert TriLM_99M_Unpacked/ TriLM_99M-f16.gguf --type f16 --name TriLM_99M
  $ trilm convert TriLM_99M_Unpacked/ TriLM_99M-trirun/ --type trirun
  $ trilm convert TriLM_99M-tq2_0.gguf TriLM_99M-trirun/ --type trirun --group-size 128
  $ trilm convert bitnet-hf/ bitnet-tq2_0.gguf --type tq2_0
  $ trilm convert bitnet-tq2_0.gguf bitnet-i2_s.gguf --type i2_s
  $ trilm convert bitnet-i2_s.gguf bitnet-hf/ --type hf-bitnet --weight-scale multiply --ffn-activation relu2`;

/** What --type takes: a GGUF type, trirun (a folder of TriRun weights), or a BitNet target (i2_s, hf-bitnet). */
type ConvertTarget = ConvertType | "trirun" | BitnetTarget;

const CONVERT_TARGETS: readonly ConvertTarget[] = [
  ...new Set<ConvertTarget>([...CONVERT_TYPES, "trirun", ...BITNET_TARGETS]),
];

/** The options commander collects for `convert`. */
interface ConvertCommandOptions {
  readonly type: ConvertTarget;
  readonly name?: string;
  readonly groupSize?: TrirunGroupChoice;
  readonly weightScale?: HfBitnetScaleConvention;
  readonly ffnActivation?: FfnActivation;
}

/** commander's parser for --weight-scale. */
function parseWeightScale(text: string): HfBitnetScaleConvention {
  if (text === "multiply" || text === "divide") return text;
  throw new InvalidArgumentError("Expected multiply (AutoBitLinear) or divide (BitLinear).");
}

/** commander's parser for --ffn-activation. */
function parseFfnActivation(text: string): FfnActivation {
  if (text === "relu2" || text === "silu") return text;
  throw new InvalidArgumentError("Expected relu2 or silu.");
}

/** commander's parser for --type. */
function parseConvertType(text: string): ConvertTarget {
  const lower = text.toLowerCase();
  const found = CONVERT_TARGETS.find((t) => t === lower);
  if (found === undefined) throw new InvalidArgumentError(`Expected ${CONVERT_TARGETS.join(", ")}.`);
  return found;
}

/** commander's parser for --group-size. */
function parseGroupSize(text: string): TrirunGroupChoice {
  if (text === "-1") return -1;
  if (text === "128") return 128;
  throw new InvalidArgumentError("Expected -1 (per column) or 128.");
}

/** Convert `input` (a folder: Hugging Face; else a GGUF file) to the TriRun folder `outputDir`, and report. */
function convertToTrirun(input: string, outputDir: string, groupSize: TrirunGroupChoice, io: CliIo): void {
  const outputs = trirunFolderFiles(outputDir);
  let conversion: TrirunModelConversion;
  if (isDirectory(input)) {
    const checkpoint = readHfCheckpoint(input);
    for (const path of checkpointInputPaths(checkpoint))
      for (const output of outputs) refuseOutputOverInput(output, path);
    conversion = convertHfToTrirun(checkpoint, groupSize);
  } else {
    for (const output of outputs) refuseOutputOverInput(output, input);
    conversion = convertGgufToTrirun(readGgufFile(input), groupSize);
  }
  writeTrirunFolder(outputDir, conversion);
  for (const warning of conversion.warnings) writeLine(io.stderr, `trilm: warning: ${input}: ${warning}`);
  const { layers, copied, skipped, row_order: rowOrder } = conversion.description;
  const width = Math.max(...layers.map((l) => l.source_tensor.length));
  const count = layers.length;
  layers.forEach((layer, i) => {
    const index = `[${String(i + 1).padStart(String(count).length)}/${count}]`;
    const group = layer.groupsize === -1 ? "per column" : `groups of ${layer.groupsize}`;
    writeLine(
      io.stdout,
      `${index} ${layer.source_tensor.padEnd(width)} ${layer.source_type.padEnd(5)} -> ${layer.name}.{B,s} k=${layer.k} n=${layer.n} ${group}`,
    );
  });
  for (const tensor of copied)
    writeLine(io.stdout, `copied  ${tensor.name} ${tensor.dtype} [${tensor.shape.join(", ")}]`);
  for (const tensor of skipped) writeLine(io.stdout, `skipped ${tensor.name} ${tensor.source_type}: ${tensor.reason}`);
  writeLine(
    io.stdout,
    `wrote ${outputs[0]} (${conversion.safetensors.byteLength} bytes: ${count} TriRun layers, ${copied.length} tensors copied, ` +
      `${skipped.length} skipped) and ${outputs[1]} (row order ${rowOrder})`,
  );
}

/** Is `type` a target only BitNet models convert to, or is the input a BitNet model (a GGUF file, a BitNet folder)? */
function bitnetSource(
  input: string,
  options: ConvertCommandOptions,
  outputs: readonly string[],
): BitnetSource | undefined {
  const bitnetOnly = options.type === "i2_s" || options.type === "hf-bitnet";
  if (isDirectory(input)) {
    const checkpoint = readHfCheckpoint(input);
    if (!bitnetOnly && !isHfBitnetCheckpoint(checkpoint)) return undefined;
    for (const path of checkpointInputPaths(checkpoint))
      for (const output of outputs) refuseOutputOverInput(output, path);
    if (options.ffnActivation !== undefined)
      throw new UsageError(
        "--ffn-activation applies to a GGUF input: a Hugging Face folder's config.json names its activation",
      );
    return { name: input, model: modelFromHf(checkpoint, { ropeStyle: "rotate-half" }), activationKnown: true };
  }
  for (const output of outputs) refuseOutputOverInput(output, input);
  const file = readGgufFile(input);
  return { name: input, model: modelFromGguf(file), activationKnown: false, modelName: file.getString("general.name") };
}

/** Convert a BitNet model (see bitnetSource) and report. */
function convertBitnetModel(
  input: string,
  outputPath: string,
  options: ConvertCommandOptions & { readonly type: BitnetTarget },
  io: CliIo,
): boolean {
  const outputs = options.type === "hf-bitnet" ? hfBitnetFolderFiles(outputPath) : [outputPath];
  if (options.type === "hf-bitnet" && options.weightScale === undefined)
    throw new UsageError(
      "--type hf-bitnet needs --weight-scale multiply|divide (how the folder's weight_scale is used)",
    );
  if (options.type !== "hf-bitnet" && options.weightScale !== undefined)
    throw new UsageError("--weight-scale applies to --type hf-bitnet only");
  if (options.type !== "hf-bitnet" && options.ffnActivation !== undefined)
    throw new UsageError("--ffn-activation applies to --type hf-bitnet only (a GGUF file records no activation)");
  const source = bitnetSource(input, options, outputs);
  if (source === undefined) return false;
  const name = options.name ?? source.modelName ?? basename(resolve(input));
  const conversion = convertBitnet(source, outputPath, { ...options, name });
  if (conversion.kind === "hf") {
    writeHfBitnetFolder(outputPath, conversion.folder);
    const { quantization_config: q, hidden_act: act, torch_dtype: dtype } = conversion.folder.config;
    writeLine(
      io.stdout,
      `wrote ${outputs[1]} (${conversion.folder.safetensors.byteLength} bytes) and ${outputs[0]} ` +
        `(hidden_act ${String(act)}, linear_class ${String((q as Record<string, unknown>).linear_class)}, torch_dtype ${String(dtype)})`,
    );
    return true;
  }
  writeGgufFile(outputPath, conversion.gguf);
  const count = conversion.gguf.tensors.length;
  conversion.gguf.tensors.forEach((t, i) => {
    const index = `[${String(i + 1).padStart(String(count).length)}/${count}]`;
    writeLine(io.stdout, `${index} ${t.name.padEnd(26)} ${tensorTypeName(t.type).padEnd(5)} [${t.ne.join(", ")}]`);
  });
  if (source.activationKnown) {
    const act = source.model.config.ffnActivation ?? "silu";
    writeLine(io.stderr, `trilm: note: GGUF records no FFN activation: run ${outputPath} with --ffn-activation ${act}`);
  }
  writeLine(io.stdout, `wrote ${outputPath} (${conversion.gguf.byteLength} bytes, ${count} tensors, no tokenizer)`);
  return true;
}

function convert(inputDir: string, outputPath: string, options: ConvertCommandOptions, io: CliIo): void {
  if (BITNET_TARGETS.some((t) => t === options.type)) {
    const type = options.type as BitnetTarget;
    if (options.groupSize !== undefined) throw new UsageError("--group-size applies to --type trirun only");
    if (convertBitnetModel(inputDir, outputPath, { ...options, type }, io)) return;
  } else if (options.weightScale !== undefined || options.ffnActivation !== undefined) {
    throw new UsageError(
      "--weight-scale and --ffn-activation apply to BitNet conversions (--type tq2_0|tq1_0|i2_s|hf-bitnet)",
    );
  }
  if (options.type === "trirun") {
    if (options.name !== undefined) throw new UsageError("--name names a GGUF file; --type trirun writes none");
    convertToTrirun(inputDir, outputPath, options.groupSize ?? "auto", io);
    return;
  }
  if (options.groupSize !== undefined) throw new UsageError("--group-size applies to --type trirun only");
  const checkpoint = readHfCheckpoint(inputDir);
  for (const input of checkpointInputPaths(checkpoint)) refuseOutputOverInput(outputPath, input);
  const name = options.name ?? basename(resolve(inputDir));
  // here the type is f16, or tq2_0 / tq1_0 of a llama folder (convertBitnetModel took every other case)
  const conversion = convertHfCheckpoint(checkpoint, outputPath, { type: options.type as ConvertType, name });
  writeGgufFile(outputPath, conversion.gguf);
  for (const warning of conversion.warnings) {
    writeLine(io.stderr, `trilm: warning: ${warning.file}: tensor '${warning.hfName}': ${warning.problem}`);
  }
  const count = conversion.tensors.length;
  const width = Math.max(...conversion.tensors.map((t) => t.hfName.length));
  conversion.tensors.forEach((t, i) => {
    const index = `[${String(i + 1).padStart(String(count).length)}/${count}]`;
    writeLine(
      io.stdout,
      `${index} ${t.hfName.padEnd(width)} -> ${t.name.padEnd(26)} ${ggmlTypeName(t.type).padEnd(5)} [${t.ne.join(", ")}]`,
    );
  });
  const lossy = conversion.warnings.length === 0 ? "" : `, ${conversion.warnings.length} lossy (see the warnings)`;
  writeLine(
    io.stdout,
    `wrote ${outputPath} (${conversion.gguf.byteLength} bytes, ${count} tensors, no tokenizer${lossy})`,
  );
}

/** Add the `convert` command to `program`. */
export function registerConvert(program: Command, io: CliIo): void {
  program
    .command("convert")
    .summary(
      "convert a Hugging Face llama checkpoint (a TriLM release) to GGUF, a model to TriRun weights, or a BitNet model between its formats",
    )
    .description(
      "Read a Hugging Face LlamaForCausalLM folder (config.json and model.safetensors, or " +
        "model.safetensors.index.json and its shards, F32/F16/BF16) and write a llama GGUF file as " +
        "llama.cpp's convert_hf_to_gguf.py --outtype does: llama.* keys, q/k rows permuted for llama.cpp's " +
        "RoPE, norms f32, token_embd and output f16, every other matrix the chosen type (f16 where a row is " +
        "not whole 256-blocks). No tokenizer is written (no tokenizer.* keys): trilm runs the file on token " +
        "ids, but llama.cpp expects a vocabulary in the file. " +
        "A matrix whose values change is reported on stderr, one line each: for a ternary matrix, a " +
        "256-block holding two shard scales, which tq1_0/tq2_0 cannot keep. The output is written atomically. " +
        "With --type trirun (spec/trirun.md §10) the input is a Hugging Face folder or a GGUF file and the output " +
        "a folder: model.safetensors holds, for every ternary linear layer <layer> (its tensor's name without " +
        ".weight), <layer>.B (I32 [k/16, n]) and <layer>.s (F16 [groups, n]) as TriRun's Layer names them " +
        "(workspace is implied, not stored); every other tensor (token embedding, norms, output head) is copied " +
        "bit for bit under its source name when it is F32, F16 or BF16, and skipped with the reason (listed in " +
        "trirun.json) when it is a ggml block type (Q8_0), which no safetensors dtype holds. trirun.json lists " +
        "the layers (k, n, groupsize, source tensor and type), the copied and skipped tensors, and row_order: " +
        "names and rows stay the source's, and a GGUF file's q/k rows are permuted for llama.cpp's RoPE " +
        '("gguf"), a Hugging Face folder\'s are not ("hf"). --group-size -1 keeps one scale per output column, ' +
        "128 one per 128 inputs (always possible from TQ2_0/TQ1_0); without it, per column where lossless, else " +
        "128, layer by layer. If any layer cannot be held by TriRun (k % 128, n % 256, values that are not " +
        "ternary, two scales in a column with --group-size -1), nothing is written and every such layer is named. " +
        "A BitNet model (a BitNetForCausalLM folder, a llama.cpp bitnet GGUF, a bitnet.cpp bitnet-b1.58 I2_S GGUF) " +
        "converts losslessly to --type tq2_0 or tq1_0 (llama.cpp's bitnet file: block scale 1 and a .scale tensor), " +
        "i2_s (bitnet.cpp's file: I2_S with the scale in its tail) or hf-bitnet (a folder: packed U8 weights, " +
        "weight_scale used as --weight-scale says, hidden_act from the folder or --ffn-activation), or is refused " +
        "with one line naming the tensor and what would be lost (spec/forward.md §17.8).",
    )
    .argument("<input>", "Hugging Face checkpoint folder (or, with --type trirun or a BitNet model, a GGUF file)")
    .argument("<output>", "GGUF file to write (with --type trirun or hf-bitnet, a folder)")
    .option("--type <type>", `output type: ${CONVERT_TARGETS.join(", ")}`, parseConvertType, "f16" as ConvertTarget)
    .option("--name <name>", "general.name (default: the folder's name)")
    .option(
      "--weight-scale <op>",
      "with --type hf-bitnet: how weight_scale is used, multiply (AutoBitLinear) or divide (BitLinear)",
      parseWeightScale,
    )
    .option(
      "--ffn-activation <act>",
      "with --type hf-bitnet from a GGUF file: hidden_act, relu2 or silu (a GGUF file records none)",
      parseFfnActivation,
    )
    .option(
      "--group-size <g>",
      "with --type trirun: -1 per column, 128 per 128 inputs (default: per column if lossless)",
      parseGroupSize,
    )
    .addHelpText("after", EXAMPLES)
    .action((input: string, output: string, options: ConvertCommandOptions) => convert(input, output, options, io));
}
