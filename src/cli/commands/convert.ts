/**
 * `trilm convert <hf-dir> <out.gguf> [--type tq2_0|tq1_0|f16] [--name <name>]`: a Hugging Face
 * llama checkpoint (a TriLM "Unpacked" release) to GGUF, as llama.cpp's convert_hf_to_gguf.py
 * --outtype does, with a warning per matrix whose conversion is lossy.
 */

import { basename, resolve } from "node:path";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { writeGgufFile } from "../../gguf/file.js";
import { ggmlTypeName } from "../../gguf/index.js";
import { CONVERT_TYPES, convertHfCheckpoint, type ConvertType } from "../../model/convert.js";
import { checkpointInputPaths, readHfCheckpoint } from "../../model/hf-folder.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { refuseOutputOverInput } from "../output-path.js";

const EXAMPLES = `
Examples:
  $ trilm convert TriLM_99M_Unpacked/ TriLM_99M-tq2_0.gguf --type tq2_0
  $ trilm convert TriLM_99M_Unpacked/ TriLM_99M-f16.gguf --type f16 --name TriLM_99M`;

/** The options commander collects for `convert`. */
interface ConvertCommandOptions {
  readonly type: ConvertType;
  readonly name?: string;
}

/** commander's parser for --type. */
function parseConvertType(text: string): ConvertType {
  const lower = text.toLowerCase();
  const found = CONVERT_TYPES.find((t) => t === lower);
  if (found === undefined) throw new InvalidArgumentError(`Expected ${CONVERT_TYPES.join(", ")}.`);
  return found;
}

function convert(inputDir: string, outputPath: string, options: ConvertCommandOptions, io: CliIo): void {
  const checkpoint = readHfCheckpoint(inputDir);
  for (const input of checkpointInputPaths(checkpoint)) refuseOutputOverInput(outputPath, input);
  const name = options.name ?? basename(resolve(inputDir));
  const conversion = convertHfCheckpoint(checkpoint, outputPath, { type: options.type, name });
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
    .summary("convert a Hugging Face llama checkpoint (a TriLM release) to GGUF, like convert_hf_to_gguf.py")
    .description(
      "Read a Hugging Face LlamaForCausalLM folder (config.json and model.safetensors, or " +
        "model.safetensors.index.json and its shards, F32/F16/BF16) and write a llama GGUF file as " +
        "llama.cpp's convert_hf_to_gguf.py --outtype does: llama.* keys, q/k rows permuted for llama.cpp's " +
        "RoPE, norms f32, token_embd and output f16, every other matrix the chosen type (f16 where a row is " +
        "not whole 256-blocks). No tokenizer is written (no tokenizer.* keys): trilm runs the file on token " +
        "ids, but llama.cpp expects a vocabulary in the file. " +
        "A matrix whose values change is reported on stderr, one line each: for a ternary matrix, a " +
        "256-block holding two shard scales, which tq1_0/tq2_0 cannot keep. The output is written atomically.",
    )
    .argument("<hf-dir>", "Hugging Face checkpoint folder")
    .argument("<output>", "GGUF file to write")
    .option("--type <type>", `output type: ${CONVERT_TYPES.join(", ")}`, parseConvertType, "f16" as ConvertType)
    .option("--name <name>", "general.name (default: the folder's name)")
    .addHelpText("after", EXAMPLES)
    .action((input: string, output: string, options: ConvertCommandOptions) => convert(input, output, options, io));
}
