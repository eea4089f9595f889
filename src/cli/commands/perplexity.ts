/**
 * `trilm perplexity <model> --tokens-file F [--ctx N]`: perplexity over token ids, windowed and
 * scored exactly the way llama.cpp's `llama-perplexity` scores a text (examples/perplexity,
 * perplexity()):
 *
 *   the ids are cut into ⌊n / N⌋ consecutive windows of N tokens (the rest is not scored);
 *   each window is evaluated from an empty KV cache; with first = ⌊N/2⌋, the positions
 *   i = first … N−2 of a window are scored: −log p(t[i+1] | t[0..i]), so N − first − 1 tokens per
 *   window (the second half, each with at least ⌊N/2⌋ tokens of context);
 *   PPL = exp(mean NLL) ± PPL·sqrt((mean NLL² − mean NLL²)/(count − 1)), as llama.cpp prints it.
 *
 * Unlike llama-perplexity the ids are used as given: llama.cpp overwrites the first token of each
 * window with BOS when its tokenizer adds one; put the BOS id in the file if you want that.
 */

import type { Command } from "commander";
import type { ActivationMode } from "../../../reference/model/linear.js";
import { createForwardState, forward } from "../../../reference/model/forward.js";
import type { KvCacheType } from "../../../reference/model/kv-cache.js";
import { logProbability } from "../../../reference/model/sampling.js";
import { InputError, UsageError } from "../../errors.js";
import { readInputFile } from "../../io/input-file.js";
import { loadModel } from "../../model/load-model.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { activationsOption, describeModel, isTerminal, kvCacheOption, parseWholeNumber } from "./run.js";

/** Window length without --ctx (llama-perplexity's usual -c 512), capped by the model's context. */
const DEFAULT_CTX = 512;

/** The options commander collects for `perplexity`. */
interface PerplexityOptions {
  readonly tokensFile: string;
  readonly ctx?: string;
  readonly activations: ActivationMode;
  readonly kvCache: KvCacheType;
}

/** A token id and the line of the tokens file it is on (1-based). */
interface TokenAt {
  readonly id: number;
  readonly line: number;
}

/**
 * Token ids from the text of a tokens file: non-negative integers separated by white space and/or
 * commas, on any number of lines. InputError naming the file and the line for anything else.
 */
export function parseTokensText(text: string, fileName: string): TokenAt[] {
  const tokens: TokenAt[] = [];
  text.split(/\r?\n/).forEach((lineText, index) => {
    for (const part of lineText.split(/[\s,]+/)) {
      if (part === "") continue;
      if (!/^\d+$/.test(part) || !Number.isSafeInteger(Number(part))) {
        const shown = part.length > 20 ? `${part.slice(0, 20)}…` : part;
        throw new InputError(
          fileName,
          `line ${index + 1}: ${JSON.stringify(shown)} is not a token id (a non-negative integer)`,
        );
      }
      tokens.push({ id: Number(part), line: index + 1 });
    }
  });
  if (tokens.length === 0) throw new InputError(fileName, "contains no token ids");
  return tokens;
}

/** Read and parse the tokens file (UTF-8 text). */
function readTokensFile(path: string): TokenAt[] {
  const bytes = readInputFile(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(path, "is not UTF-8 text (expected token ids separated by white space or commas)");
  }
  return parseTokensText(text, path);
}

/** Running totals of the scored tokens' negative log-likelihoods. */
interface NllTotals {
  count: number;
  sum: number;
  sumOfSquares: number;
}

/** PPL and its uncertainty as llama-perplexity computes them; `plusMinus` is undefined when it cannot be estimated. */
export function perplexityEstimate(totals: NllTotals): { ppl: number; plusMinus: number | undefined } {
  const mean = totals.sum / totals.count;
  const ppl = Math.exp(mean);
  const variance = totals.sumOfSquares / totals.count - mean * mean;
  const plusMinus = variance > 0 && totals.count > 1 ? Math.sqrt(variance / (totals.count - 1)) * ppl : undefined;
  return { ppl, plusMinus };
}

/** A plain progress bar on stderr when it is a terminal: "[#####-----] 50% window 1/2". */
function progressBar(io: CliIo, total: number): { tick: (done: number, label: string) => void; clear: () => void } {
  if (!isTerminal(io.stderr)) return { tick: () => {}, clear: () => {} };
  const width = 30;
  return {
    tick: (done, label) => {
      const filled = Math.round((width * done) / total);
      io.stderr.write(
        `\r\x1b[K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.floor((100 * done) / total)}% ${label}`,
      );
    },
    clear: () => io.stderr.write("\r\x1b[K"),
  };
}

function perplexity(modelPath: string, options: PerplexityOptions, io: CliIo): void {
  const requestedCtx =
    options.ctx === undefined ? DEFAULT_CTX : parseWholeNumber(options.ctx, "--ctx", 3, Number.MAX_SAFE_INTEGER);
  const model = loadModel(modelPath);
  const tokens = readTokensFile(options.tokensFile);
  const { vocabSize, contextLength } = model.config;
  const outside = tokens.find((token) => token.id >= vocabSize);
  if (outside !== undefined) {
    throw new InputError(
      options.tokensFile,
      `line ${outside.line}: token id ${outside.id} is out of range: the model's vocabulary has ${vocabSize} tokens (0..${vocabSize - 1})`,
    );
  }
  const ctx = Math.min(requestedCtx, contextLength);
  const windows = Math.floor(tokens.length / ctx);
  if (windows === 0) {
    throw new InputError(
      options.tokensFile,
      `has ${tokens.length} token ids, fewer than one window of ${ctx} (--ctx); give more ids or a smaller --ctx`,
    );
  }
  if (ctx < 3) throw new UsageError(`--ctx: windows of ${ctx} tokens score nothing; use at least 3`);
  const first = Math.floor(ctx / 2);
  const perWindow = ctx - first - 1;

  writeLine(io.stdout, describeModel(model, modelPath));
  writeLine(io.stdout, `activations ${options.activations}, kv cache ${options.kvCache}`);
  writeLine(
    io.stdout,
    `${tokens.length} token ids from ${options.tokensFile}: ${windows} window(s) of ${ctx}` +
      `${ctx < requestedCtx ? ` (--ctx ${requestedCtx} capped by the model's context)` : ""}, ${tokens.length - windows * ctx} left over; ` +
      `scoring positions ${first}..${ctx - 2} of each window (predicting tokens ${first + 1}..${ctx - 1}): ${perWindow} per window`,
  );

  const totals: NllTotals = { count: 0, sum: 0, sumOfSquares: 0 };
  const progress = progressBar(io, windows * ctx);
  const running: string[] = [];
  const start = performance.now();
  try {
    for (let w = 0; w < windows; w++) {
      const ids = tokens.slice(w * ctx, (w + 1) * ctx).map((token) => token.id);
      const state = createForwardState({ ...model.config, contextLength: ctx }, model.weights, {
        activations: options.activations,
        kvCache: options.kvCache,
      });
      for (let i = 0; i < ctx - 1; i++) {
        const logits = forward(state, ids[i], i);
        if (i >= first) {
          const nll = -logProbability(logits, ids[i + 1]);
          totals.count++;
          totals.sum += nll;
          totals.sumOfSquares += nll * nll;
        }
        progress.tick(w * ctx + i + 1, `window ${w + 1}/${windows}`);
      }
      running.push(`[${w + 1}]${perplexityEstimate(totals).ppl.toFixed(4)}`);
    }
  } finally {
    progress.clear();
  }
  const elapsed = performance.now() - start;
  const { ppl, plusMinus } = perplexityEstimate(totals);
  writeLine(io.stdout, running.join(","));
  const uncertainty = plusMinus === undefined ? "" : ` +/- ${plusMinus.toFixed(5)}`;
  writeLine(io.stdout, `Final estimate: PPL = ${ppl.toFixed(4)}${uncertainty} over ${totals.count} tokens`);
  writeLine(
    io.stdout,
    `${windows * (ctx - 1)} positions evaluated in ${(elapsed / 1000).toFixed(2)} s (${(elapsed / (windows * (ctx - 1))).toFixed(2)} ms/token)`,
  );
}

const EXAMPLES = `
Examples:
  $ trilm perplexity model-tq2_0.gguf --tokens-file wiki.test.ids --ctx 512
  $ trilm perplexity golden/models/trilm-tiny-tq2_0.gguf --tokens-file ids.txt --ctx 64 --activations ggml`;

/** Add the `perplexity` command to `program`. */
export function registerPerplexity(program: Command, io: CliIo): void {
  program
    .command("perplexity")
    .summary("perplexity over token ids, windowed and scored as llama-perplexity does")
    .description(
      "Perplexity of a TriLM over the token ids in a text file (non-negative integers separated by white space " +
        "and/or commas). As llama.cpp's llama-perplexity: the ids are cut into consecutive windows of N (--ctx; " +
        "leftover ids are not scored), each evaluated from an empty KV cache, and only the second half of each " +
        "window is scored: with first = floor(N/2), the logits at positions first..N-2 predict tokens first+1..N-1, " +
        "N - first - 1 tokens per window. PPL = exp(mean negative log-likelihood), ± " +
        "PPL·sqrt(var(NLL)/(count - 1)); the running PPL after each window is printed as [1]…,[2]…. Unlike " +
        "llama-perplexity the first id of a window is not replaced by BOS. A progress bar goes to stderr when it " +
        "is a terminal.",
    )
    .argument("<model>", "GGUF model file or Hugging Face checkpoint folder")
    .requiredOption("--tokens-file <file>", "token ids as text: integers separated by white space and/or commas")
    .option("--ctx <N>", `window length, at least 3 (default: ${DEFAULT_CTX}, capped by the model's context length)`)
    .addOption(activationsOption())
    .addOption(kvCacheOption())
    .addHelpText("after", EXAMPLES)
    .action((model: string, options: PerplexityOptions) => perplexity(model, options, io));
}
