/**
 * reference/model/rope.ts — rotary position embedding (spec/forward.md §4).
 *
 * Oracles:
 * - §4.1: θ_i = p · base^(−2i/d) in float64; ggml's float32 iteration θ_(i+1) = f32(θ_i · θscale)
 *   stays within (2i + 2)·u·θ_i of it, so |cos_i − cos θ_i| ≤ (2i + 2)·u·θ_i + u (same for sin).
 * - §4.2: the rotation of each pair (a, b) ↦ (a cos θ − b sin θ, a sin θ + b cos θ) computed as a
 *   complex product in float64, within |(a, b)|·(√2·(|Δθ| + 2u) + 3u) per element (angle error,
 *   cos/sin rounding, three float32 roundings of the products and the sum).
 * - §4.3: convert_hf_to_gguf.py's row permutation new[h·d + 2i + j] = old[h·d + j·d/2 + i], and the
 *   theorem that adjacent-pair RoPE on permuted rows equals rotate-half RoPE on the original rows
 *   permuted the same way — bit for bit, because both do the same float operations on the same
 *   pair with the same angle. q·k is then the same sum in another order: the two float64 dot
 *   products differ by at most 2·γ_n·Σ|q_i·k_i| with γ_n = n·2^-53/(1 − n·2^-53).
 * - position 0 is the identity (θ = 0: cos 1, sin 0); a rotation preserves each pair's norm
 *   within 6u (spec §4.2); dimensions ≥ ropeDim are untouched.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ropeCacheGgml, ropeRotateGgml } from "../../../reference/ggml-x86/index.js";
import { applyRope, ropeAngles, ropePermutationHfToGguf } from "../../../reference/model/rope.js";
import { checkProperty } from "../../support/property.js";
import { sameBits } from "../../support/tiny-model.js";

const U = 2 ** -24;
const U64 = 2 ** -53;

/** θ_i of spec §4.1 in float64 (no iteration, no rounding). */
function exactTheta(pos: number, i: number, ropeDim: number, base: number): number {
  return pos * Math.pow(base, (-2 * i) / ropeDim);
}

const headDims = fc.constantFrom(2, 4, 8, 32, 64, 128);
const values = (n: number) =>
  fc.float32Array({ minLength: n, maxLength: n, noNaN: true, noDefaultInfinity: true, min: -100, max: 100 });

/** Random heads: nHeads × headDim values plus a position. */
const rotationCase = fc
  .record({
    headDim: headDims,
    nHeads: fc.integer({ min: 1, max: 3 }),
    pos: fc.integer({ min: 0, max: 4096 }),
    base: fc.constantFrom(10000, 500000, 100),
  })
  .chain((c) => fc.tuple(fc.constant(c), values(c.nHeads * c.headDim), values(c.nHeads * c.headDim)));

describe("ropeAngles (spec §4.1)", () => {
  test("property: cos θ_i and sin θ_i follow θ_i = p·base^(−2i/d) within the iteration's rounding", () => {
    const arbitrary = fc.record({
      ropeDim: headDims,
      pos: fc.integer({ min: 0, max: 8192 }),
      base: fc.constantFrom(10000, 500000, 100),
    });
    checkProperty(
      "rope: angles",
      fc.property(arbitrary, ({ ropeDim, pos, base }) => {
        const { cos, sin } = ropeAngles(pos, ropeDim, base, "f32");
        expect(cos.length).toBe(ropeDim / 2);
        expect(sin.length).toBe(ropeDim / 2);
        expect(cos[0]).toBe(Math.fround(Math.cos(pos))); // θ_0 = p exactly
        for (let i = 0; i < ropeDim / 2; i++) {
          const theta = exactTheta(pos, i, ropeDim, base);
          const slack = (2 * i + 2) * U * theta + U;
          expect(Math.abs(cos[i] - Math.cos(theta))).toBeLessThanOrEqual(slack);
          expect(Math.abs(sin[i] - Math.sin(theta))).toBeLessThanOrEqual(slack);
        }
      }),
      { numRuns: 200 },
    );
  });

  test("θ_1 at position 1 is powf(base, −2/d) rounded to float32 (ggml's θscale)", () => {
    const { cos, sin } = ropeAngles(1, 64, 10000, "f32");
    const thetaScale = Math.fround(Math.pow(10000, Math.fround(-2 / 64)));
    expect(sin[1]).toBe(Math.fround(Math.sin(thetaScale)));
    expect(cos[1]).toBe(Math.fround(Math.cos(thetaScale)));
    expect(thetaScale).toBeCloseTo(0.7498942, 6); // 10000^(−1/32)
  });
});

describe("applyRope (spec §4.2)", () => {
  test("the worked example: (1, 0) at position 1 becomes (cos 1, sin 1); (0, 1) becomes (−sin 1, cos 1)", () => {
    const angles = ropeAngles(1, 2, 10000, "f32");
    const x = Float32Array.of(1, 0, 0, 1); // two heads of size 2
    applyRope(x, 2, angles, "adjacent", "f32");
    expect(Array.from(x)).toEqual([
      Math.fround(Math.cos(1)),
      Math.fround(Math.sin(1)),
      -Math.fround(Math.sin(1)),
      Math.fround(Math.cos(1)),
    ]);
  });

  test("rotate-half pairs x[i] with x[i + d/2]; adjacent pairs x[2i] with x[2i+1]", () => {
    const angles = ropeAngles(3, 4, 10000, "f32");
    const half = Float32Array.of(1, 0, 0, 0);
    applyRope(half, 4, angles, "rotate-half", "f32"); // pair (0, 2) with θ_0 = 3
    expect(Array.from(half)).toEqual([Math.fround(Math.cos(3)), 0, Math.fround(Math.sin(3)), 0]);
    const adjacent = Float32Array.of(1, 0, 0, 0);
    applyRope(adjacent, 4, angles, "adjacent", "f32"); // pair (0, 1) with θ_0 = 3
    expect(Array.from(adjacent)).toEqual([Math.fround(Math.cos(3)), Math.fround(Math.sin(3)), 0, 0]);
  });

  test("property: the rotation matches the float64 complex product (a + ib)·e^(iθ_i)", () => {
    checkProperty(
      "rope: rotation formula",
      fc.property(rotationCase, ([{ headDim, pos, base }, x0]) => {
        for (const style of ["adjacent", "rotate-half"] as const) {
          const x = x0.slice();
          applyRope(x, headDim, ropeAngles(pos, headDim, base, "f32"), style, "f32");
          const pairs = headDim / 2;
          for (let h = 0; h < x.length / headDim; h++) {
            for (let i = 0; i < pairs; i++) {
              const ia = h * headDim + (style === "adjacent" ? 2 * i : i);
              const ib = style === "adjacent" ? ia + 1 : ia + pairs;
              const theta = exactTheta(pos, i, headDim, base);
              const a = x0[ia];
              const b = x0[ib];
              const norm = Math.hypot(a, b);
              const slack = norm * (Math.SQRT2 * ((2 * i + 2) * U * theta + 2 * U) + 3 * U) + 2 ** -140;
              expect(Math.abs(x[ia] - (a * Math.cos(theta) - b * Math.sin(theta)))).toBeLessThanOrEqual(slack);
              expect(Math.abs(x[ib] - (a * Math.sin(theta) + b * Math.cos(theta)))).toBeLessThanOrEqual(slack);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  test("property: position 0 is the identity, in both conventions", () => {
    checkProperty(
      "rope: position 0 is the identity",
      fc.property(rotationCase, ([{ headDim, base }, x0]) => {
        for (const style of ["adjacent", "rotate-half"] as const) {
          const x = x0.slice();
          applyRope(x, headDim, ropeAngles(0, headDim, base, "f32"), style, "f32");
          for (let i = 0; i < x.length; i++) expect(x[i] === x0[i]).toBe(true); // ±0 may swap sign, nothing else
        }
      }),
      { numRuns: 100 },
    );
  });

  test("property: each rotated pair keeps its length within 6u", () => {
    checkProperty(
      "rope: norms preserved",
      fc.property(rotationCase, ([{ headDim, pos, base }, x0]) => {
        for (const style of ["adjacent", "rotate-half"] as const) {
          const x = x0.slice();
          applyRope(x, headDim, ropeAngles(pos, headDim, base, "f32"), style, "f32");
          const pairs = headDim / 2;
          for (let h = 0; h < x.length / headDim; h++) {
            for (let i = 0; i < pairs; i++) {
              const ia = h * headDim + (style === "adjacent" ? 2 * i : i);
              const ib = style === "adjacent" ? ia + 1 : ia + pairs;
              const before = Math.hypot(x0[ia], x0[ib]);
              expect(Math.abs(Math.hypot(x[ia], x[ib]) - before)).toBeLessThanOrEqual(6 * U * before + 2 ** -140);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  test("property: dimensions at or beyond ropeDim are left alone", () => {
    const arbitrary = fc
      .record({ pos: fc.integer({ min: 1, max: 100 }), ropeDim: fc.constantFrom(2, 8, 16) })
      .chain((c) => fc.tuple(fc.constant(c), values(64)));
    checkProperty(
      "rope: partial rotation",
      fc.property(arbitrary, ([{ pos, ropeDim }, x0]) => {
        for (const style of ["adjacent", "rotate-half"] as const) {
          const x = x0.slice();
          applyRope(x, 32, ropeAngles(pos, ropeDim, 10000, "f32"), style, "f32"); // two heads of 32
          for (const h of [0, 1]) {
            expect(
              sameBits(x.subarray(h * 32 + ropeDim, h * 32 + 32), x0.subarray(h * 32 + ropeDim, h * 32 + 32)),
            ).toBe(true);
          }
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe("the HF → GGUF q/k permutation (spec §4.3)", () => {
  test("property: source[h·d + 2i + j] = h·d + j·d/2 + i, a bijection", () => {
    const arbitrary = fc.record({ nHeads: fc.integer({ min: 1, max: 6 }), headDim: headDims });
    checkProperty(
      "rope: permutation formula",
      fc.property(arbitrary, ({ nHeads, headDim }) => {
        const source = ropePermutationHfToGguf(nHeads, headDim);
        expect(source.length).toBe(nHeads * headDim);
        for (let h = 0; h < nHeads; h++) {
          for (let i = 0; i < headDim / 2; i++) {
            for (const j of [0, 1]) expect(source[h * headDim + 2 * i + j]).toBe(h * headDim + j * (headDim / 2) + i);
          }
        }
        expect([...source].sort((a, b) => a - b)).toEqual(Array.from({ length: nHeads * headDim }, (_, i) => i));
      }),
      { numRuns: 50 },
    );
  });

  test("the example of spec §4.3: head size 8", () => {
    expect(Array.from(ropePermutationHfToGguf(1, 8))).toEqual([0, 4, 1, 5, 2, 6, 3, 7]);
  });

  test("property: adjacent RoPE on permuted rows = rotate-half RoPE on the original rows, permuted (bit for bit)", () => {
    checkProperty(
      "rope: permutation theorem",
      fc.property(rotationCase, ([{ headDim, nHeads, pos, base }, q, k]) => {
        const source = ropePermutationHfToGguf(nHeads, headDim);
        const angles = ropeAngles(pos, headDim, base, "f32");
        for (const original of [q, k]) {
          const hf = original.slice();
          applyRope(hf, headDim, angles, "rotate-half", "f32");
          const gguf = Float32Array.from(source, (s) => original[s]);
          applyRope(gguf, headDim, angles, "adjacent", "f32");
          expect(
            sameBits(
              gguf,
              Float32Array.from(source, (s) => hf[s]),
            ),
          ).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  test("property: so q·k per head is unchanged up to the summation order (≤ 2γ_n·Σ|q_i k_i| in float64)", () => {
    checkProperty(
      "rope: q·k preserved",
      fc.property(rotationCase, ([{ headDim, nHeads, pos, base }, q, k]) => {
        const source = ropePermutationHfToGguf(nHeads, headDim);
        const angles = ropeAngles(pos, headDim, base, "f32");
        const qh = q.slice();
        const kh = k.slice();
        applyRope(qh, headDim, angles, "rotate-half", "f32");
        applyRope(kh, headDim, angles, "rotate-half", "f32");
        const qg = Float32Array.from(source, (s) => q[s]);
        const kg = Float32Array.from(source, (s) => k[s]);
        applyRope(qg, headDim, angles, "adjacent", "f32");
        applyRope(kg, headDim, angles, "adjacent", "f32");
        const gamma = (headDim * U64) / (1 - headDim * U64);
        for (let h = 0; h < nHeads; h++) {
          let dotHf = 0;
          let dotGguf = 0;
          let magnitude = 0;
          for (let i = h * headDim; i < (h + 1) * headDim; i++) {
            dotHf += qh[i] * kh[i];
            dotGguf += qg[i] * kg[i];
            magnitude += Math.abs(qh[i] * kh[i]);
          }
          expect(Math.abs(dotHf - dotGguf)).toBeLessThanOrEqual(2 * gamma * magnitude);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('"ggml-x86" arithmetic (spec §9.1)', () => {
  test("the angles are ggml_rope_cache_init's and the rotation ggml's fused one (reference/ggml-x86)", () => {
    for (const [pos, ropeDim, style] of [
      [7, 64, "adjacent"],
      [1000, 32, "rotate-half"],
    ] as const) {
      const angles = ropeAngles(pos, ropeDim, 10000, "ggml-x86");
      const expected = ropeCacheGgml(pos, ropeDim, 10000);
      expect(sameBits(angles.cos, expected.cos) && sameBits(angles.sin, expected.sin)).toBe(true);
      const x = Float32Array.from({ length: 2 * ropeDim }, (_, i) => Math.sin(i + 0.5) * 3);
      const rotated = x.slice();
      applyRope(rotated, ropeDim, angles, style, "ggml-x86");
      const reference = x.slice();
      ropeRotateGgml(reference, ropeDim, expected, style);
      expect(sameBits(rotated, reference)).toBe(true);
      const f32 = x.slice();
      applyRope(f32, ropeDim, ropeAngles(pos, ropeDim, 10000, "f32"), style, "f32");
      expect(sameBits(f32, reference)).toBe(false); // the arithmetic is not the f32 one
    }
  });
});
