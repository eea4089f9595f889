/**
 * Choosing the next token from a row of logits, and scoring a token under them. Pure: no Node or
 * browser APIs, no hidden randomness (the caller passes the uniform number a draw uses).
 *
 *   greedy          argmax_j logits[j] (the first index on ties, as llama.cpp's greedy sampler)
 *   temperature T   p_j = exp((l_j − max l)/T) / Σ_k exp((l_k − max l)/T), in float64;
 *                   the token is the first j with u·Σp < p_0 + … + p_j (inverse CDF, u ∈ [0, 1))
 *   log p(token)    l_token − max l − log Σ_k exp(l_k − max l), in float64
 *
 * Implements spec/forward.md §11 (generation and perplexity).
 */

/** Throw RangeError unless every logit is finite and there is at least one. Spec §11. */
export function requireFiniteLogits(logits: Float32Array): void {
  if (logits.length === 0) throw new RangeError("no logits to choose from");
  for (let j = 0; j < logits.length; j++) {
    if (!Number.isFinite(logits[j])) throw new RangeError(`logit ${j} is ${logits[j]}, not a finite number`);
  }
}

/** The largest logit's value. */
function maxLogit(logits: Float32Array): number {
  let max = -Infinity;
  for (let j = 0; j < logits.length; j++) if (logits[j] > max) max = logits[j];
  return max;
}

/** Index of the largest logit, the first one on ties (greedy decoding). RangeError for an empty or non-finite row. Spec §11. */
export function argmax(logits: Float32Array): number {
  requireFiniteLogits(logits);
  let best = 0;
  for (let j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
  return best;
}

/** A token and its logit. */
export interface ScoredToken {
  readonly token: number;
  readonly logit: number;
}

/** The k largest logits, largest first (lower index first on ties); fewer when the row is shorter. Spec §11. */
export function topK(logits: Float32Array, k: number): ScoredToken[] {
  requireFiniteLogits(logits);
  const best: ScoredToken[] = [];
  if (k <= 0) return best;
  for (let j = 0; j < logits.length; j++) {
    const logit = logits[j];
    if (best.length === k && logit <= best[best.length - 1].logit) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].logit < logit) at--;
    best.splice(at, 0, { token: j, logit });
    if (best.length > k) best.pop();
  }
  return best;
}

/**
 * softmax(logits / T) in float64: Float32Array[V] → Float64Array[V] summing to 1 (up to rounding).
 * `temperature` must be a finite number > 0. RangeError otherwise, or for non-finite logits. Spec §11.
 */
export function softmaxWithTemperature(logits: Float32Array, temperature: number): Float64Array {
  if (!(temperature > 0) || !Number.isFinite(temperature))
    throw new RangeError(`temperature must be a finite number > 0, got ${temperature}`);
  requireFiniteLogits(logits);
  const max = maxLogit(logits);
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let j = 0; j < logits.length; j++) {
    p[j] = Math.exp((logits[j] - max) / temperature);
    sum += p[j];
  }
  for (let j = 0; j < p.length; j++) p[j] /= sum;
  return p;
}

/**
 * The next token: argmax for temperature 0, else a draw from softmax(logits / T) by inverse CDF
 * with the uniform number `u` ∈ [0, 1) (the first j whose cumulative probability exceeds u).
 * The same logits, T and u always give the same token. Spec §11.
 */
export function sampleToken(logits: Float32Array, temperature: number, u: number): number {
  if (!(u >= 0 && u < 1)) throw new RangeError(`u must be in [0, 1), got ${u}`);
  if (temperature === 0) return argmax(logits);
  const p = softmaxWithTemperature(logits, temperature);
  let cumulative = 0;
  let last = 0;
  for (let j = 0; j < p.length; j++) {
    if (p[j] === 0) continue;
    cumulative += p[j];
    last = j;
    if (u < cumulative) return j;
  }
  return last; // rounding left Σp a hair below u: the last token with any probability
}

/**
 * log p(token) under softmax(logits), in float64: l_token − max l − log Σ_k exp(l_k − max l).
 * The negative of this is the token's cross-entropy (what perplexity averages). RangeError for a
 * token outside the row or non-finite logits. Spec §11.
 */
export function logProbability(logits: Float32Array, token: number): number {
  if (!Number.isInteger(token) || token < 0 || token >= logits.length) {
    throw new RangeError(`token ${token} is outside the ${logits.length} logits`);
  }
  requireFiniteLogits(logits);
  const max = maxLogit(logits);
  let sum = 0;
  for (let j = 0; j < logits.length; j++) sum += Math.exp(logits[j] - max);
  return logits[token] - max - Math.log(sum);
}
