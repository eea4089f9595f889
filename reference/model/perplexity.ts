/**
 * Perplexity over token ids, windowed and scored exactly the way llama.cpp's `llama-perplexity`
 * scores a text (tools/perplexity/perplexity.cpp, perplexity()). Implements spec/forward.md §11.
 *
 *   the ids are cut into ⌊n / N⌋ consecutive windows of N tokens (the rest is not scored);
 *   each window is evaluated from an empty KV cache; with first = ⌊N/2⌋, the positions
 *   i = first … N−2 of a window are scored: −log p(t[i+1] | t[0..i]), so N − first − 1 tokens per
 *   window (the second half, each with at least ⌊N/2⌋ tokens of context);
 *   PPL = exp(mean NLL) ± PPL·sqrt((mean NLL² − mean NLL²)/(count − 1)), as llama.cpp prints it;
 *   NLL = max + log(Σ_j expf(f32(l_j − max))) − l_t with the sum in double (perplexity.cpp log_softmax).
 * With `bos` given, the first id of every window is replaced by it before the window is evaluated,
 * as llama-perplexity does when the vocabulary adds BOS (`tokenizer.ggml.add_bos_token`).
 */

import type { TrilmConfig } from "./config.js";
import { evaluateSequence, type ForwardOptions } from "./forward.js";
import { requireFiniteLogits } from "./sampling.js";
import type { TrilmWeights } from "./weights.js";

/** Shortest window that scores anything: positions ⌊N/2⌋ … N−2 are empty below 3. */
export const MIN_PERPLEXITY_WINDOW = 3;

/** How llama-perplexity cuts `tokenCount` ids into windows of `ctx`. Spec §11. */
export interface PerplexityWindows {
  /** Window length N. */
  readonly ctx: number;
  /** Number of whole windows, ⌊tokenCount / N⌋. */
  readonly count: number;
  /** First scored position of each window, ⌊N/2⌋. */
  readonly first: number;
  /** Tokens scored per window, N − first − 1. */
  readonly scoredPerWindow: number;
  /** Ids after the last whole window, not scored. */
  readonly leftOver: number;
}

/** The windows of `tokenCount` ids for window length `ctx` (no check that any are scored). Spec §11. */
export function perplexityWindows(tokenCount: number, ctx: number): PerplexityWindows {
  const count = Math.floor(tokenCount / ctx);
  const first = Math.floor(ctx / 2);
  return { ctx, count, first, scoredPerWindow: ctx - first - 1, leftOver: tokenCount - count * ctx };
}

/** Running totals of the scored tokens' negative log-likelihoods. */
export interface NllTotals {
  count: number;
  sum: number;
  sumOfSquares: number;
}

/** PPL and its uncertainty; `plusMinus` is undefined when it cannot be estimated (one token, or zero variance). */
export interface PerplexityEstimate {
  readonly ppl: number;
  readonly plusMinus: number | undefined;
}

/** PPL and its uncertainty as llama-perplexity computes them from the totals. Spec §11. */
export function perplexityEstimate(totals: NllTotals): PerplexityEstimate {
  const mean = totals.sum / totals.count;
  const ppl = Math.exp(mean);
  const variance = totals.sumOfSquares / totals.count - mean * mean;
  const plusMinus = variance > 0 && totals.count > 1 ? Math.sqrt(variance / (totals.count - 1)) * ppl : undefined;
  return { ppl, plusMinus };
}

/**
 * −log p(token) from one row of logits as llama-perplexity's log_softmax computes it:
 * max_logit + log(Σ_j expf(l_j − max_logit)) − l_token, each difference and expf in float32, the sum in double.
 * logits: Float32Array[vocab]. Spec §11.
 */
export function llamaNegativeLogLikelihood(logits: Float32Array, token: number): number {
  if (!Number.isInteger(token) || token < 0 || token >= logits.length)
    throw new RangeError(`token ${token} is outside the ${logits.length} logits`);
  requireFiniteLogits(logits);
  let max = logits[0];
  for (let j = 1; j < logits.length; j++) max = Math.max(max, logits[j]);
  let sumExp = 0;
  for (let j = 0; j < logits.length; j++) sumExp += Math.fround(Math.exp(Math.fround(logits[j] - max)));
  return -(Math.fround(logits[token] - max) - Math.log(sumExp));
}

/** What `evaluatePerplexity` found. */
export interface PerplexityResult {
  readonly windows: PerplexityWindows;
  /** Over every scored token of every window. */
  readonly totals: NllTotals;
  /** The running PPL after each window (llama-perplexity's `[1]…,[2]…`). */
  readonly pplAfterWindow: number[];
}

/** One window's logits, position by position from 0: (token, pos) → Float32Array[vocabSize]. */
export type WindowStep = (token: number, pos: number) => Float32Array;

/**
 * Perplexity over `tokens`, windows of `ctx` (spec §11), with the logits of any forward pass:
 * `openWindow(ids)` is called at the start of each window with its ctx ids and returns the step of a forward pass
 * from an empty cache of `ctx` positions; each window's second half is scored. `onPosition(window, pos)`
 * is called after each position is evaluated (positions 0 … ctx−2 of each window); `bos`, when given,
 * replaces the first id of every window (llama-perplexity with a vocabulary that adds BOS). RangeError
 * when `ctx` is below 3, or there is not one whole window.
 */
export function scorePerplexity(
  tokens: readonly number[],
  ctx: number,
  openWindow: (ids: readonly number[]) => WindowStep,
  onPosition: (window: number, pos: number) => void = () => {},
  bos?: number,
): PerplexityResult {
  if (!Number.isSafeInteger(ctx) || ctx < MIN_PERPLEXITY_WINDOW)
    throw new RangeError(`perplexity windows of ${ctx} tokens score nothing; use at least ${MIN_PERPLEXITY_WINDOW}`);
  const windows = perplexityWindows(tokens.length, ctx);
  if (windows.count === 0) throw new RangeError(`${tokens.length} token ids are fewer than one window of ${ctx}`);
  const totals: NllTotals = { count: 0, sum: 0, sumOfSquares: 0 };
  const pplAfterWindow: number[] = [];
  for (let w = 0; w < windows.count; w++) {
    const ids = tokens.slice(w * ctx, (w + 1) * ctx);
    if (bos !== undefined) ids[0] = bos;
    const step = openWindow(ids);
    for (let i = 0; i < ctx - 1; i++) {
      const logits = step(ids[i], i);
      if (i >= windows.first) {
        const nll = llamaNegativeLogLikelihood(logits, ids[i + 1]);
        totals.count++;
        totals.sum += nll;
        totals.sumOfSquares += nll * nll;
      }
      onPosition(w, i);
    }
    pplAfterWindow.push(perplexityEstimate(totals).ppl);
  }
  return { windows, totals, pplAfterWindow };
}

/**
 * Perplexity of the model over `tokens`, windows of `ctx` (spec §11): scorePerplexity with each
 * window of ctx ids evaluated as one prompt (evaluateSequence, spec §8.2), as llama-perplexity decodes a window in
 * one batch — in ggml-exact mode its kernels depend on the batch (spec §9.3). RangeError
 * when `ctx` is below 3 or above the model's context, or there is not one whole window; the ids must be
 * in the vocabulary (evaluateSequence checks). `bos` replaces each window's first id, as in scorePerplexity.
 */
export function evaluatePerplexity(
  config: TrilmConfig,
  weights: TrilmWeights,
  tokens: readonly number[],
  ctx: number,
  options: ForwardOptions,
  onPosition: (window: number, pos: number) => void = () => {},
  bos?: number,
): PerplexityResult {
  if (ctx > config.contextLength)
    throw new RangeError(`perplexity windows of ${ctx} tokens exceed the model's context of ${config.contextLength}`);
  const openWindow = (ids: readonly number[]): WindowStep => {
    const rows = evaluateSequence({ ...config, contextLength: ctx }, weights, ids, options);
    return (_token, pos) => rows[pos];
  };
  return scorePerplexity(tokens, ctx, openWindow, onPosition, bos);
}
