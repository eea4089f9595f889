/**
 * `trilm compare A [B] [--tokens 1,2,3 | --prompt text] [--mode m] [--mode-b m] [--ffn-activation a]
 * [--ffn-activation-b a] [--tolerance r]`: run two models (or one model twice, in two modes or with two
 * FFN activations) over the same tokens, compare every named intermediate tensor layer by layer in graph
 * order, and name the first that diverges (spec/forward.md §8.3). Exit status 0: no divergence; 1: a
 * divergence (the report names it); 2: bad input or command line. The work is src/run/compare.ts.
 */

import { Option, type Command } from "commander";
import type { FfnActivation } from "../../../reference/model/config.js";
import type { KvCacheType } from "../../../reference/model/kv-cache.js";
import type { ForwardActivationMode } from "../../../reference/model/modes.js";
import { UsageError } from "../../errors.js";
import { DEFAULT_PROMPT } from "../../model/default-prompt.js";
import { loadModel, type LoadedModelFile } from "../../model/load-model.js";
import { checkModelActivations, parseActivations } from "../../run/activation-choice.js";
import {
  compareForwardPasses,
  tensorLabel,
  type CompareResult,
  type DivergenceCriterion,
  type TensorComparison,
} from "../../run/compare.js";
import { parseTokenList } from "../../run/token-list.js";
import { formatTable } from "../../text/text-table.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { CommandFailed } from "../exit-code.js";
import { describeModel, kvCacheOption } from "./run.js";

/** The options commander collects for `compare`. */
interface CompareOptions {
  readonly tokens?: string;
  readonly prompt?: string;
  readonly mode: string;
  readonly modeB?: string;
  readonly ffnActivation?: FfnActivation;
  readonly ffnActivationB?: FfnActivation;
  readonly kvCache: KvCacheType;
  readonly tolerance?: string;
}

/** The FFN activations the two options take. */
const FFN_ACTIVATIONS: readonly FfnActivation[] = ["silu", "relu2"];

/** A mode of reference/model's forward pass, from `option`'s text (ggml = ggml-exact); ggml-matmul is refused. */
function forwardMode(text: string, option: string): ForwardActivationMode {
  const mode = parseActivations(text);
  if (mode === "ggml-matmul") {
    throw new UsageError(
      `${option} ${text}: compare runs reference/model's forward pass (f32, ggml-exact, int8-per-token)`,
    );
  }
  return mode;
}

/** `--tolerance r`: relative, r ≥ 0; absent: bit-exact. */
function criterionOf(text: string | undefined): DivergenceCriterion {
  if (text === undefined) return { kind: "bit-exact" };
  const tolerance = Number(text);
  if (text.trim() === "" || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new UsageError(`--tolerance must be a number ≥ 0 (max |Δ| / max |a| per position), got '${text}'`);
  }
  return { kind: "relative", tolerance };
}

/** The tokens: --tokens, else --prompt with A's tokenizer, else the default prompt ids. */
function tokensOf(options: CompareOptions, a: LoadedModelFile): number[] {
  if (options.tokens !== undefined && options.prompt !== undefined)
    throw new UsageError("give --tokens or --prompt, not both");
  if (options.tokens !== undefined) return parseTokenList(options.tokens, "--tokens");
  if (options.prompt === undefined) return [...DEFAULT_PROMPT];
  if (a.readTokenizer === undefined) {
    throw new UsageError(`--prompt needs a GGUF file's tokenizer; ${a.path} (${a.kind}) has none here: give --tokens`);
  }
  const ids = a.readTokenizer().tokenize(options.prompt);
  if (ids.length === 0) throw new UsageError(`--prompt ${JSON.stringify(options.prompt)} gives no tokens`);
  return ids;
}

/** A number in 3 significant digits, exponent form for small and large magnitudes. */
function num(x: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(2);
}

/** One table row: tensor, length, max |Δ|, relative error, differing elements, first diverging position. */
function row(t: TensorComparison, positions: number): string[] {
  return [
    tensorLabel(t.layer, t.tensor),
    String(t.length),
    num(t.maxAbsDiff),
    num(t.relError),
    `${t.differing}/${t.length * positions}`,
    t.firstPos === undefined ? "-" : String(t.firstPos),
  ];
}

/** The closing line: the first divergence, or "no divergence". */
function verdict(result: CompareResult, positions: number, criterion: DivergenceCriterion): string {
  const how = criterion.kind === "bit-exact" ? "bit-exact" : `relative tolerance ${criterion.tolerance}`;
  const first = result.firstDivergence;
  if (first === undefined) {
    return `no divergence (${how}): ${result.tensors.length} tensors agree over ${positions} positions`;
  }
  return (
    `first divergence (${how}): ${tensorLabel(first.layer, first.tensor)} (pos ${first.firstPos}): ` +
    `max |Δ| ${num(first.maxAbsDiffAtFirstPos)} there, ${num(first.maxAbsDiff)} over all positions (rel ${num(first.relError)}), ` +
    `${first.differing} of ${first.length * positions} values differ`
  );
}

function compare(pathA: string, pathB: string | undefined, options: CompareOptions, io: CliIo): void {
  const criterion = criterionOf(options.tolerance);
  const modeA = forwardMode(options.mode, "--mode");
  const modeB = options.modeB === undefined ? modeA : forwardMode(options.modeB, "--mode-b");
  const ffnB = options.ffnActivationB ?? options.ffnActivation;
  const a = loadModel(pathA, { ffnActivation: options.ffnActivation });
  const b = loadModel(pathB ?? pathA, { ffnActivation: ffnB });
  checkModelActivations(pathA, a, modeA);
  checkModelActivations(b.path, b, modeB);
  const tokens = tokensOf(options, a);
  const side = (name: string, model: LoadedModelFile, mode: ForwardActivationMode) => ({
    label: `${name} (${model.path}, ${mode}${model.config.architecture === "bitnet" ? `, ffn ${model.config.ffnActivation ?? "silu"}` : ""})`,
    config: model.config,
    weights: model.weights,
    options: { activations: mode, kvCache: options.kvCache },
  });
  const sideA = side("A", a, modeA);
  const sideB = side("B", b, modeB);
  writeLine(io.stdout, `${sideA.label}: ${describeModel(a, a.path)}`);
  writeLine(io.stdout, `${sideB.label}: ${describeModel(b, b.path)}`);
  writeLine(io.stdout, `tokens (${tokens.length}): ${tokens.join(" ")}`);
  const result = compareForwardPasses(sideA, sideB, tokens, criterion);
  const rows = result.tensors.map((t) => row(t, tokens.length));
  writeLine(
    io.stdout,
    "tensors in graph order (max |Δ| and rel = max |Δ| / max |A| over all positions; first pos: first diverging):",
  );
  const table = formatTable(["tensor", "length", "max |Δ|", "rel", "differing", "first pos"], rows, [
    "left",
    "right",
    "right",
    "right",
    "right",
    "right",
  ]);
  for (const line of table) writeLine(io.stdout, `  ${line}`);
  if (result.onlyInA.length > 0) writeLine(io.stdout, `only in A: ${result.onlyInA.join(", ")}`);
  if (result.onlyInB.length > 0) writeLine(io.stdout, `only in B: ${result.onlyInB.join(", ")}`);
  const line = verdict(result, tokens.length, criterion);
  writeLine(io.stdout, line);
  if (result.firstDivergence !== undefined) throw new CommandFailed(line);
}

const EXAMPLES = `
Examples:
  $ trilm compare bitnet.gguf --ffn-activation silu --ffn-activation-b relu2
      one model, SiLU against ReLU² (llama.cpp bug B8): the first divergence is blk.0 ffn_gate_par
  $ trilm compare model.gguf model-fixed.gguf --tokens 1,17,300
      two models: the first tensor that differs names the layer and the op
  $ trilm compare model.gguf --mode ggml-exact --mode-b f32 --tolerance 1e-3
      llama.cpp's arithmetic against float32, diverging only beyond a relative error of 1e-3

Exit status: 0 no divergence, 1 a divergence (named on the last line), 2 bad input or command line.`;

/** Add the `compare` command to `program`. */
export function registerCompare(program: Command, io: CliIo): void {
  program
    .command("compare")
    .summary("run two models (or one in two modes) and name the first intermediate tensor that diverges")
    .description(
      "Run model A and model B (default: A again) over the same tokens with reference/model's forward pass, " +
        "tracing every intermediate tensor under llama.cpp's graph names (attn_norm, Qcur, Kcur, Vcur, kqv_out, " +
        "attn_sub_norm, attn_out, ffn_inp, ffn_norm, ffn_up, ffn_gate, ffn_gate_par, ffn_sub_norm, ffn_out, l_out; " +
        "then result_norm, result_output), and print each tensor's max |Δ| and relative error layer by layer in graph " +
        "order, and the first tensor that diverges: bit-exact by default, or beyond --tolerance. The models must have " +
        "the same vocabulary size; a tensor both compute with different lengths is refused, naming it.",
    )
    .argument("<a>", "model A: a GGUF file or a Hugging Face folder")
    .argument("[b]", "model B (default: model A, run with --mode-b / --ffn-activation-b)")
    .option("--tokens <ids>", "comma-separated token ids (default: the default prompt ids 1,17,300,42,511,259,3,88)")
    .option("--prompt <text>", "text, tokenized with model A's GGUF tokenizer")
    .option(
      "--mode <mode>",
      "forward mode of A (and of B unless --mode-b): f32, ggml-exact (alias ggml), int8-per-token",
      "ggml-exact",
    )
    .option("--mode-b <mode>", "forward mode of B")
    .addOption(
      new Option(
        "--ffn-activation <act>",
        "FFN activation of a bitnet GGUF model A (and B unless --ffn-activation-b)",
      ).choices(FFN_ACTIVATIONS),
    )
    .addOption(
      new Option("--ffn-activation-b <act>", "FFN activation of a bitnet GGUF model B").choices(FFN_ACTIVATIONS),
    )
    .addOption(kvCacheOption())
    .option(
      "--tolerance <rel>",
      "diverge only where max |Δ| > rel · max |A| at a position (default: any differing bit)",
    )
    .addHelpText("after", EXAMPLES)
    .action((a: string, b: string | undefined, options: CompareOptions) => compare(a, b, options, io));
}
