/**
 * The `trilm` command line: commander's program with every command registered, writing to the
 * given streams and throwing (never exiting) on parse errors, help and version.
 */

import { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import { registerBench } from "./commands/bench.js";
import { registerCheck } from "./commands/check.js";
import { registerCompare } from "./commands/compare.js";
import { registerConvert } from "./commands/convert.js";
import { registerConvertWeights } from "./commands/convert-weights.js";
import { registerDecode } from "./commands/decode.js";
import { registerEncode } from "./commands/encode.js";
import { registerExplain } from "./commands/explain.js";
import { registerFuzz } from "./commands/fuzz.js";
import { registerGolden } from "./commands/golden.js";
import { registerInspect } from "./commands/inspect.js";
import { registerMakeModel } from "./commands/make-model.js";
import { registerPerplexity } from "./commands/perplexity.js";
import { registerQuantize } from "./commands/quantize.js";
import { registerRun } from "./commands/run.js";
import { registerTokenize } from "./commands/tokenize.js";
import { packageVersion } from "./package-version.js";

/** Options of the program itself, valid before or after the command. */
export interface GlobalOptions {
  readonly debug?: boolean;
}

const EXAMPLES = `
Examples:
  $ trilm encode tq2_0 weights.npy weights.bin
  $ trilm decode tq2_0 weights.bin weights.npy --shape 2,4096
  $ trilm quantize model-f16.gguf model-tq2_0.gguf tq2_0 --token-embedding-type f16 --output-tensor-type f16
  $ trilm inspect model-tq2_0.gguf
  $ trilm explain tq1_0 --seed 7
  $ trilm run --tokens 1,17,300 --generate 8
  $ trilm perplexity model-tq2_0.gguf --tokens-file ids.txt --ctx 128
  $ trilm make-model --preset 99m --seed 1 trilm-99m-tq2_0.gguf
  $ trilm check --kernel ./my-kernel --op matmul --format tq2_0
  $ trilm golden verify golden/suites
  $ trilm help encode`;

/** A fresh program (commander keeps parse state, so one per run). */
export function createProgram(io: CliIo): Command {
  const program = new Command("trilm")
    .description(
      "Reference interpreter and test oracle for ternary LLM formats (TQ1_0, TQ2_0, Q8_K), bit-exact with llama.cpp/ggml.",
    )
    .version(packageVersion(), "-V, --version", "print the version")
    .option("--debug", "print the stack trace of an internal error")
    .helpOption("-h, --help", "show help")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => undefined,
    })
    .addHelpText("after", EXAMPLES);
  registerEncode(program, io);
  registerDecode(program, io);
  registerQuantize(program, io);
  registerConvert(program, io);
  registerInspect(program, io);
  registerExplain(program, io);
  registerRun(program, io);
  registerCompare(program, io);
  registerTokenize(program, io);
  registerPerplexity(program, io);
  registerMakeModel(program, io);
  registerConvertWeights(program, io);
  registerBench(program, io);
  registerCheck(program, io);
  registerFuzz(program, io);
  registerGolden(program, io);
  return program;
}
