/**
 * reference/ggml-x86/q4_k-repack.ts: the FMA grouping of llama.cpp's repacked Q4_K kernels, per block (gemv) and per
 * 64 elements (gemm) (bit identity with llama.cpp itself: test/src/model/llama-repack-agreement.test.ts).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import {
  dequantizeRowQ4K,
  dequantizeRowQ8K,
  packQ8KBlock,
  packScaleMinK4,
  quantizeRowQ4K,
  quantizeRowQ8K,
} from "../../../reference/codec/index.js";
import { isRepackedQ4K, repackedDotQ4KQ8K, vecDotQ4KQ8KAvx2 } from "../../../reference/ggml-x86/index.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";
import { checkProperty } from "../../support/property.js";

/** A Q4_K block: fp16 d = 1, dmin = 1, sub-block scales `ls` and mins `lm`, every level `level`. */
function q4KBlock(ls: number[], lm: number[], level: number): Uint8Array {
  const block = new Uint8Array(144);
  block.set([0x00, 0x3c, 0x00, 0x3c]);
  block.set(packScaleMinK4(Uint8Array.from(ls), Uint8Array.from(lm)), 4);
  block.fill(level | (level << 4), 16);
  return block;
}

/** A Q8_K block with d = 1 and every value `q`. */
function q8KBlock(q: number): Uint8Array {
  return packQ8KBlock({ d: 1, qs: new Int8Array(256).fill(q), bsums: new Int16Array(16).fill(16 * q) });
}

test("llama.cpp repacks a Q4_K matrix whose row count is a multiple of 8", () => {
  expect([8, 264, 512].map(isRepackedQ4K)).toEqual([true, true, true]);
  expect([262, 6].map(isRepackedQ4K)).toEqual([false, false]);
});

test("one block: Σ_j sc_j·dot_j − Σ_j m_j·bsum_j, the same in gemv and gemm when every sum is exact", () => {
  // levels 3, q8 = 2: dot_j = 32·3·2 = 192; scales 1..8 → Σ sc·dot = 36·192; mins 1 → Σ m·bsum = 8·64
  const w = q4KBlock([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 1, 1, 1, 1, 1], 3);
  const a = q8KBlock(2);
  expect(repackedDotQ4KQ8K(w, a, "gemv")).toBe(36 * 192 - 8 * 64);
  expect(repackedDotQ4KQ8K(w, a, "gemm")).toBe(36 * 192 - 8 * 64);
});

test("gemv and gemm stay near the exact sum (error ≤ 2^-16 · Σ|w·y|)", () => {
  checkProperty(
    "repacked Q4_K dot ≈ exact dot",
    fc.property(
      fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 512, maxLength: 512 }),
      fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 512, maxLength: 512 }),
      (ws, xs) => {
        const w = quantizeRowQ4K(Float32Array.from(ws));
        const a = quantizeRowQ8K(Float32Array.from(xs));
        const wv = dequantizeRowQ4K(w);
        const av = dequantizeRowQ8K(a);
        let exact = 0;
        let magnitude = 0;
        for (let i = 0; i < 512; i++) {
          exact += wv[i] * av[i];
          magnitude += Math.abs(wv[i] * av[i]);
        }
        for (const kernel of ["gemv", "gemm"] as const) {
          expect(Math.abs(repackedDotQ4KQ8K(w, a, kernel) - exact)).toBeLessThanOrEqual(magnitude * 2 ** -16);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test("gemv, gemm and ggml_vec_dot_q4_K_q8_K round differently on some rows (fixed seed)", () => {
  const random = mulberry32(11);
  let gemvGemm = 0;
  let gemvVecDot = 0;
  for (let row = 0; row < 50; row++) {
    const w = quantizeRowQ4K(Float32Array.from({ length: 512 }, () => 8 * random() - 4));
    const a = quantizeRowQ8K(Float32Array.from({ length: 512 }, () => 8 * random() - 4));
    const gemv = repackedDotQ4KQ8K(w, a, "gemv");
    if (!Object.is(gemv, repackedDotQ4KQ8K(w, a, "gemm"))) gemvGemm++;
    if (!Object.is(gemv, vecDotQ4KQ8KAvx2(w, a))) gemvVecDot++;
  }
  expect(gemvGemm).toBeGreaterThan(0);
  expect(gemvVecDot).toBeGreaterThan(0);
});

test("a weight row and an activation row of different block counts is a RangeError", () => {
  expect(() => repackedDotQ4KQ8K(new Uint8Array(288), new Uint8Array(292), "gemv")).toThrow(RangeError);
});
