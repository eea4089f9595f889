/**
 * `trilm explain [tq1_0|tq2_0] [--values v1,v2,… | --seed N]`: one block encoded and decoded step by
 * step; `trilm explain trirun [--codes c1,c2,… | --seed N] [--tile T]`: one TriRun tile from codes to words
 * (the walk-throughs themselves are src/explain/).
 */

import type { Command } from "commander";
import { explainBlock, parseExplainFormat, parseSeed, parseValueList, type ExplainInput } from "../../explain/index.js";
import { explainTrirunTile, parseCodeList, parseTile } from "../../explain/index.js";
import { UsageError } from "../../errors.js";
import type { CliIo } from "../cli-io.js";

const EXAMPLES = `
Examples:
  $ trilm explain
      a TriLM-like TQ2_0 block drawn from seed 1
  $ trilm explain tq1_0 --seed 7
  $ trilm explain tq2_0 --values 0.5,-0.5,0.25,0
  $ trilm explain trirun --tile 1
      one 16×16 TriRun tile: tile-major order, the permutation, the words, dequant, MMA lanes
  $ trilm explain trirun --codes 2,0,1,1`;

/** The options commander collects for `explain`. */
interface ExplainOptions {
  readonly values?: string;
  readonly seed?: string;
  readonly codes?: string;
  readonly tile?: string;
}

function explain(format: string, options: ExplainOptions, io: CliIo): void {
  if (format.toLowerCase() === "trirun") {
    if (options.values !== undefined) throw new UsageError("--values is for tq1_0 / tq2_0; trirun takes --codes");
    io.stdout.write(
      explainTrirunTile({
        codes: options.codes === undefined ? undefined : parseCodeList(options.codes),
        seed: options.seed === undefined ? undefined : parseSeed(options.seed),
        tile: options.tile === undefined ? undefined : parseTile(options.tile),
      }),
    );
    return;
  }
  if (options.codes !== undefined || options.tile !== undefined) {
    throw new UsageError("--codes and --tile are for trirun; tq1_0 / tq2_0 take --values");
  }
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
    .summary("walk through one TQ1_0 or TQ2_0 block, or one TriRun tile, step by step")
    .description(
      "Quantize one block of 256 weights to TQ1_0 or TQ2_0 and explain every step: the scale, the codes, where " +
        "each code goes in the bytes, the hex dump, decoding back and validation. The block is --values (zero-padded " +
        "to 256) or drawn from --seed. trirun: one 16×16 tile of a 16×64 strip (--tile 0..3) from codes to TriRun's " +
        "B words: tile-major order, the permutation stage by stage, the words, the kernel's decode, and the MMA " +
        "lane, register and half that consume each element; the tile is --codes or drawn from --seed.",
    )
    .argument("[format]", "tq1_0, tq2_0 or trirun", "tq2_0")
    .option("--values <v1,v2,…>", "the block's first values, comma-separated decimal numbers (1 to 256)")
    .option("--seed <N>", "seed for a TriLM-like block, 0 to 4294967295 (default: 1)")
    .option("--codes <c1,c2,…>", "trirun: the tile's codes 0..3 (t + 1), row by row, 1 to 256 (the rest: code 1)")
    .option("--tile <T>", "trirun: which tile of the 64-column strip, 0 to 3 (default: 0)")
    .addHelpText("after", EXAMPLES)
    .action((format: string, options: ExplainOptions) => explain(format, options, io));
}
