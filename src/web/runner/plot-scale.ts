/**
 * Scales and ticks of the runner's difference plot (pure, no DOM): the y axis is log10 of a
 * positive quantity (max|Δ| or NMSE) over whole decades, the x axis the token positions.
 */

/** A y axis over whole decades: 10^minExp … 10^maxExp, with a tick at each listed exponent. */
export interface LogAxis {
  readonly minExp: number;
  readonly maxExp: number;
  readonly ticks: readonly number[];
}

/**
 * The decade range covering every finite positive value and every `mustInclude` value (e.g. the
 * tolerance 1e-6), at least one decade tall; ticks at whole exponents, thinned to at most `maxTicks`.
 * Zeros, negatives, NaN and infinities are ignored (the plot draws zeros on the bottom edge). With no
 * usable values at all the axis is 10^-8 … 10^0.
 */
export function logAxis(values: readonly number[], mustInclude: readonly number[] = [], maxTicks = 7): LogAxis {
  const exps = [...values, ...mustInclude].filter((v) => Number.isFinite(v) && v > 0).map(Math.log10);
  let minExp = exps.length === 0 ? -8 : Math.floor(Math.min(...exps));
  let maxExp = exps.length === 0 ? 0 : Math.ceil(Math.max(...exps));
  if (maxExp <= minExp) maxExp = minExp + 1;
  const step = Math.max(1, Math.ceil((maxExp - minExp) / Math.max(1, maxTicks - 1)));
  minExp = Math.floor(minExp / step) * step;
  maxExp = Math.ceil(maxExp / step) * step;
  const ticks: number[] = [];
  for (let e = minExp; e <= maxExp; e += step) ticks.push(e);
  return { minExp, maxExp, ticks };
}

/**
 * Pixel y of value `v` on `axis`, with the top of the plot at `top` and the bottom at `bottom`
 * (bottom > top). Values outside the axis, zeros and negatives are clamped to the edges; NaN → null.
 */
export function logY(v: number, axis: LogAxis, top: number, bottom: number): number | null {
  if (Number.isNaN(v)) return null;
  const e = v > 0 ? Math.log10(v) : -Infinity;
  const t = (Math.min(Math.max(e, axis.minExp), axis.maxExp) - axis.minExp) / (axis.maxExp - axis.minExp);
  return bottom - t * (bottom - top);
}

/** Pixel x of position `p` of `count` positions between `left` and `right` (one position: the middle). */
export function positionX(p: number, count: number, left: number, right: number): number {
  return count <= 1 ? (left + right) / 2 : left + (p / (count - 1)) * (right - left);
}

/** The positions 0..count−1 to label on the x axis: all of them up to `maxTicks`, else every k-th (k from 1, 2, 5, 10, 20, 50 …). */
export function positionTicks(count: number, maxTicks = 12): number[] {
  if (count <= 0) return [];
  let step = 1;
  for (let i = 1; Math.ceil(count / step) > maxTicks; i++) step = [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3);
  const ticks: number[] = [];
  for (let p = 0; p < count; p += step) ticks.push(p);
  return ticks;
}
