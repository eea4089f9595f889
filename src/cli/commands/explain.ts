/**
 * `trilm explain [tq1_0|tq2_0] [--values v1,v2,… | --seed N]`: one block encoded and decoded step by
 * step (the walk-through itself is src/explain/).
 */

import type { Command } from "commander";
import { explainBlock, parseExplainFormat, parseSeed, parseValueList, type ExplainInput } from "../../explain/index.js";
import type { CliIo } from "../cli-io.js";

const EXAMPLES = `
Examples:
  $ trilm explain
      a TriLM-like TQ2_0 block drawn from seed 1
  $ trilm explain tq1_0 --seed 7
  $ trilm explain tq2_0 --values 0.5,-0.5,0.25,0`;

/** The options commander collects for `explain`. */
interface ExplainOptions {
  readonly values?: string;
  readonly seed?: string;
}

function explain(format: string, options: ExplainOptions, io: CliIo): void {
  const input: ExplainInput = {
    values: options.values === undefined ? undefined : parseValueList(options.values),
    seed: options.seed === undefined ? undefined : parseSeed(options.seed),
  };
  io.stdout.write(explainBlock(parseExplainFormat(format), input));
}

/** Add the `explain` command to `program`. */
export function registerExplain(program: Command, io: CliIo): void {
  program
    .command("explain")
    .summary("walk through one TQ1_0 or TQ2_0 block, step by step")
    .description(
      "Quantize one block of 256 weights to TQ1_0 or TQ2_0 and explain every step: the scale, the codes, where " +
        "each code goes in the bytes, the hex dump, decoding back and validation. The block is --values (zero-padded " +
        "to 256) or drawn from --seed.",
    )
    .argument("[format]", "tq1_0 or tq2_0", "tq2_0")
    .option("--values <v1,v2,…>", "the block's first values, comma-separated decimal numbers (1 to 256)")
    .option("--seed <N>", "seed for a TriLM-like block, 0 to 4294967295 (default: 1)")
    .addHelpText("after", EXAMPLES)
    .action((format: string, options: ExplainOptions) => explain(format, options, io));
}
