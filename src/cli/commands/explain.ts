/**
 * `trilm explain [tq1_0|tq2_0] [--values v1,v2,… | --seed N]`: one block encoded and decoded step by
 * step; `trilm explain trirun [--codes c1,c2,… | --seed N] [--tile T]`: one TriRun tile from codes to words;
 * `trilm explain i2_s [--layout L]`, `trilm explain hf-bitnet [--rows R]`: 256 weights from codes to bytes and back;
 * `trilm explain rosetta [--element E] [--shape S]`: the same 256 weights in every layout
 * (the walk-throughs themselves are src/explain/).
 */

import type { Command } from "commander";
import { explainBlock, parseExplainFormat, parseSeed, parseValueList, type ExplainInput } from "../../explain/index.js";
import { explainTrirunTile, parseCodeList, parseTile } from "../../explain/index.js";
import { explainHfBitnet, explainI2s, explainRosetta, parseHfRows, parseI2sLayout } from "../../explain/index.js";
import { parseRosettaArrangement, parseRosettaElement, parseTernaryCodes } from "../../explain/index.js";
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
  $ trilm explain trirun --codes 2,0,1,1
  $ trilm explain i2_s --layout arm --seed 3
      bitnet.cpp's I2_S: the sign rule and scale, element → (byte, shift), one byte, the tail, wrong layouts
  $ trilm explain hf-bitnet --rows 8
      transformers' packed weight: planar over output rows, pack/unpack, weight_scale's two meanings
  $ trilm explain rosetta --element 37
      the same 256 weights in TQ2_0, TQ1_0, I2_S (x86, arm, 1x4), HF packed, TriRun and W2A8 side by side
  $ trilm explain rosetta --seed 1 --shape square`;

/** The options commander collects for `explain`. */
interface ExplainOptions {
  readonly values?: string;
  readonly seed?: string;
  readonly codes?: string;
  readonly tile?: string;
  readonly layout?: string;
  readonly rows?: string;
  readonly element?: string;
  readonly shape?: string;
}

/** The options each format takes (the rest are refused with one line). */
const FORMAT_OPTIONS: Readonly<Record<string, readonly (keyof ExplainOptions)[]>> = {
  tq1_0: ["values", "seed"],
  tq2_0: ["values", "seed"],
  trirun: ["codes", "seed", "tile"],
  i2_s: ["codes", "seed", "layout"],
  "hf-bitnet": ["codes", "seed", "rows"],
  rosetta: ["codes", "seed", "element", "shape"],
};

/** UsageError naming the first option given that `format` does not take. */
function refuseOtherOptions(format: string, options: ExplainOptions): void {
  const allowed = FORMAT_OPTIONS[format];
  const given = (Object.keys(options) as (keyof ExplainOptions)[]).filter((key) => options[key] !== undefined);
  const stray = given.find((key) => !allowed.includes(key));
  if (stray !== undefined) {
    throw new UsageError(
      `--${stray} is not an option of explain ${format} (it takes ${allowed.map((o) => `--${o}`).join(", ")})`,
    );
  }
}

/** The text of `explain <format>`. */
function explainText(format: string, options: ExplainOptions): string {
  const seed = options.seed === undefined ? undefined : parseSeed(options.seed);
  const ternaryCodes = (): number[] | undefined =>
    options.codes === undefined ? undefined : parseTernaryCodes(options.codes);
  switch (format) {
    case "trirun":
      return explainTrirunTile({
        codes: options.codes === undefined ? undefined : parseCodeList(options.codes),
        seed,
        tile: options.tile === undefined ? undefined : parseTile(options.tile),
      });
    case "i2_s":
      return explainI2s({
        codes: ternaryCodes(),
        seed,
        layout: options.layout === undefined ? undefined : parseI2sLayout(options.layout),
      });
    case "hf-bitnet":
      return explainHfBitnet({
        codes: ternaryCodes(),
        seed,
        rows: options.rows === undefined ? undefined : parseHfRows(options.rows),
      });
    case "rosetta":
      return explainRosetta({
        codes: ternaryCodes(),
        seed,
        element: options.element === undefined ? undefined : parseRosettaElement(options.element),
        arrangement: options.shape === undefined ? undefined : parseRosettaArrangement(options.shape),
      });
    default: {
      const input: ExplainInput = {
        values: options.values === undefined ? undefined : parseValueList(options.values),
        seed,
      };
      return explainBlock(parseExplainFormat(format), input);
    }
  }
}

function explain(formatName: string, options: ExplainOptions, io: CliIo): void {
  const format = formatName.toLowerCase();
  if (FORMAT_OPTIONS[format] === undefined) parseExplainFormat(formatName); // throws the one-line refusal
  refuseOtherOptions(format, options);
  io.stdout.write(explainText(format, options));
}

/** Add the `explain` command to `program`. */
export function registerExplain(program: Command, io: CliIo): void {
  program
    .command("explain")
    .summary("walk through one TQ1_0, TQ2_0, I2_S or HF BitNet block, a TriRun tile, or all layouts side by side")
    .description(
      "Quantize one block of 256 weights to TQ1_0 or TQ2_0 and explain every step: the scale, the codes, where " +
        "each code goes in the bytes, the hex dump, decoding back and validation. The block is --values (zero-padded " +
        "to 256) or drawn from --seed. trirun: one 16×16 tile of a 16×64 strip (--tile 0..3) from codes to TriRun's " +
        "B words: tile-major order, the permutation stage by stage, the words, the kernel's decode, and the MMA " +
        "lane, register and half that consume each element; the tile is --codes or drawn from --seed. i2_s " +
        "(--layout x86|arm|1x4) and hf-bitnet (--rows R): 256 weights from codes to bytes and back. rosetta: the " +
        "same 256 weights in every layout, where each element lands, and the bytes (--element E, --shape row|square).",
    )
    .argument("[format]", "tq1_0, tq2_0, trirun, i2_s, hf-bitnet or rosetta", "tq2_0")
    .option("--values <v1,v2,…>", "the block's first values, comma-separated decimal numbers (1 to 256)")
    .option("--seed <N>", "seed for a TriLM-like block, 0 to 4294967295 (default: 1)")
    .option(
      "--codes <c1,c2,…>",
      "trirun: the tile's codes 0..3 (t + 1), row by row; i2_s, hf-bitnet, rosetta: codes 0..2; 1 to 256 (the rest: 1)",
    )
    .option("--tile <T>", "trirun: which tile of the 64-column strip, 0 to 3 (default: 0)")
    .option("--layout <L>", "i2_s: x86, arm or 1x4, the bitnet.cpp build's packing (default: x86)")
    .option("--rows <R>", "hf-bitnet: output rows of W, 1 to 64; in = ⌈256/R⌉ (default: 8)")
    .option(
      "--element <E>",
      "rosetta: the element followed, 0 to 255; alone, the pattern is a single +1 there (default: 0)",
    )
    .option("--shape <S>", "rosetta: where the 256 sit, row (W[0][0..255]) or square (W[0..15][0..15]) (default: row)")
    .addHelpText("after", EXAMPLES)
    .action((format: string, options: ExplainOptions) => explain(format, options, io));
}
