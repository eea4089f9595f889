/**
 * reference/tolerances/attention.ts — spec/tolerances.md §7: a float32 candidate (float32 scores,
 * exp, sums in another order) passes against a float64 reference; dead terms (scores beyond
 * LIVE_EXP_GAP below the maximum) leave the bound meaningful; ill-conditioned scores fall back to the
 * convex-hull bound of §7.4; a candidate that forgets the 1/√hd scale fails.
 */
import { describe, expect, test } from "vitest";
import type { AttentionShape } from "../../../reference/model/attention.js";
import { IEEE_ACCURACY, WEBGL_ACCURACY } from "../../../reference/tolerances/accuracy.js";
import { attentionBounds, LIVE_EXP_GAP } from "../../../reference/tolerances/attention.js";
import { checkTolerance } from "../../../reference/tolerances/element-check.js";

/** Causal attention of one query row per position over keys/values [T, kvDim], float32 or float64 (rounded at the end). */
function attend(
  q: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  positions: readonly number[],
  shape: AttentionShape,
  arithmetic: "f32" | "f64",
  scaled = true,
): Float32Array {
  const r = arithmetic === "f32" ? Math.fround : (v: number): number => v;
  const { nHeads, nKvHeads, headDim } = shape;
  const kvDim = nKvHeads * headDim;
  const scale = scaled ? Math.fround(1 / Math.sqrt(headDim)) : 1;
  const out = new Float32Array(positions.length * nHeads * headDim);
  positions.forEach((pos, b) => {
    for (let h = 0; h < nHeads; h++) {
      const g = Math.floor(h / (nHeads / nKvHeads));
      const scores = Array.from({ length: pos + 1 }, (_, t) => {
        let dot = 0;
        for (let i = headDim - 1; i >= 0; i--)
          dot = r(dot + r(q[(b * nHeads + h) * headDim + i] * keys[t * kvDim + g * headDim + i]));
        return r(dot * scale);
      });
      const max = Math.max(...scores);
      const e = scores.map((s) => r(Math.exp(r(s - max))));
      const sum = e.reduce((a, v) => r(a + v), 0);
      for (let i = 0; i < headDim; i++) {
        let o = 0;
        for (let t = 0; t <= pos; t++) o = r(o + r(r(e[t] / sum) * values[t * kvDim + g * headDim + i]));
        out[(b * nHeads + h) * headDim + i] = o;
      }
    }
  });
  return out;
}

describe("attentionBounds (§7)", () => {
  const shape: AttentionShape = { nHeads: 4, nKvHeads: 2, headDim: 8 };
  const total = 6;
  const wave = (n: number, k: number): Float32Array =>
    Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * k) * 2));
  const keys = wave(total * 16, 0.7);
  const values = wave(total * 16, 1.3);
  const positions = [3, 5];
  const q = wave(2 * 32, 0.9);

  test("a float32 candidate passes against the float64 reference (IEEE and WebGL accuracy)", () => {
    const reference = attend(q, keys, values, positions, shape, "f64");
    const candidate = attend(q, keys, values, positions, shape, "f32");
    for (const accuracy of [IEEE_ACCURACY, WEBGL_ACCURACY]) {
      const bounds = attentionBounds(q, keys, values, positions, shape, reference, accuracy);
      expect(checkTolerance(candidate, reference, bounds).ok).toBe(true);
    }
  });

  test("a candidate that forgets the 1/√hd scale fails", () => {
    const reference = attend(q, keys, values, positions, shape, "f64");
    const wrong = attend(q, keys, values, positions, shape, "f32", false);
    const bounds = attentionBounds(q, keys, values, positions, shape, reference, IEEE_ACCURACY);
    expect(checkTolerance(wrong, reference, bounds).ok).toBe(false);
  });

  test("a dead term (score beyond LIVE_EXP_GAP below the maximum): the bound stays small and a float32 candidate passes", () => {
    const single: AttentionShape = { nHeads: 1, nKvHeads: 1, headDim: 8 };
    const k = new Float32Array(2 * 8);
    k.fill(1, 0, 8); // score of t = 0: 8·x·σ
    k.fill(-1, 8, 16); // t = 1: −8·x·σ
    const v = Float32Array.from({ length: 16 }, (_, i) => (i < 8 ? 1 : 1000));
    const query = new Float32Array(8).fill(100); // gap 2·800·σ ≈ 566 > LIVE_EXP_GAP
    expect(1600 / Math.sqrt(8)).toBeGreaterThan(LIVE_EXP_GAP);
    const reference = attend(query, k, v, [1], single, "f64");
    expect(Array.from(reference)).toEqual(new Array(8).fill(1)); // the dead term contributes 0
    // the dead term's gap (≈ 566) does not enter WebGL's exp allowance (2·(3 + 2·566) ulp ≈ 1.4e-4 if it did)
    const ieee = attentionBounds(query, k, v, [1], single, reference, IEEE_ACCURACY);
    const webgl = attentionBounds(query, k, v, [1], single, reference, WEBGL_ACCURACY);
    expect(webgl[0] - ieee[0]).toBeLessThan(1e-5);
    for (const accuracy of [IEEE_ACCURACY, WEBGL_ACCURACY]) {
      const bounds = attentionBounds(query, k, v, [1], single, reference, accuracy);
      for (const bound of bounds) expect(bound).toBeLessThan(1e-3); // 2E ≈ 7e-4 from the scores; not the convex hull's 999
      expect(checkTolerance(attend(query, k, v, [1], single, "f32"), reference, bounds).ok).toBe(true);
    }
  });

  test("ill-conditioned scores (§7.4): the bound is the spread of the values plus rounding, not +∞", () => {
    const single: AttentionShape = { nHeads: 1, nKvHeads: 1, headDim: 8 };
    const k = Float32Array.from({ length: 16 }, (_, i) => (i < 8 ? 1 : 1 + 2 ** -20));
    const v = Float32Array.from({ length: 16 }, (_, i) => (i < 8 ? -3 : 5));
    const query = new Float32Array(8).fill(1e6); // scores ≈ 2.8e6, float32 rounding of a score ≫ 1
    const reference = attend(query, k, v, [1], single, "f64");
    const bounds = attentionBounds(query, k, v, [1], single, reference, IEEE_ACCURACY);
    for (const bound of bounds) {
      expect(bound).toBeGreaterThanOrEqual(8);
      expect(bound).toBeLessThan(8 + 1e-5);
    }
  });
});
