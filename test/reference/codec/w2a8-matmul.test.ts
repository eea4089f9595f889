/**
 * The W2A8 linear layer (spec/bitnet.md §6): the accumulation against an independent integer computation —
 * the kernel's own reading of the packed bytes (`ladder_int8xint2_kernel`'s B offsets, `decode_i2s_to_i8s`
 * and `__dp4a`, thread by thread) — the epilogue's operation order, the scale index, unsupported shapes.
 */

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { roundToBf16 } from "../../../reference/codec/bfloat16.js";
import { packW2a8 } from "../../../reference/codec/w2a8.js";
import {
  findW2a8Kernel,
  quantizeW2a8Activations,
  W2A8_KERNEL_SHAPES,
  w2a8Accumulate,
  w2a8Epilogue,
  w2a8Linear,
} from "../../../reference/codec/w2a8-matmul.js";
import { checkProperty } from "../../support/property.js";

/**
 * acc[out] as `ladder_int8xint2_kernel<M=1, N, K, ws_num, K_block_size = 8, N_block_size = 16>` computes it
 * from the packed bytes: thread (x, y) of block b reads 16 activations at k_0·128 + 16x and the int32 at
 * byte offset b·16·K/4 + k_0·8·16·16/4 + (x >> 1)·32·16/4 + (y >> 3)·(32·16/2)/4 + (x & 1)·(32·16/4)/4 +
 * (y & 7)·(32/2)/4; decode_i2s_to_i8s puts ((word >> 2i) >> 8j & 3) − 2 at B_decode_local[4i + j]; dp4a
 * multiplies A_local[e]·B_decode_local[e]; the eight x threads are summed.
 */
function kernelAccumulate(q: Int8Array, packed: Uint8Array, n: number, k: number): Int32Array {
  const acc = new Int32Array(n);
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  for (let block = 0; block < n / 16; block++) {
    for (let y = 0; y < 16; y++) {
      let sum = 0;
      for (let x = 0; x < 8; x++) {
        for (let k0 = 0; k0 < k / 128; k0++) {
          const offset =
            (block * 16 * k) / 4 +
            (k0 * 8 * 16 * 16) / 4 +
            (x >> 1) * ((32 * 16) / 4) +
            (y >> 3) * ((32 * 16) / 2 / 4) +
            (x & 1) * ((32 * 16) / 4 / 4) +
            (y & 7) * (32 / 2 / 4);
          const word = view.getUint32(offset, true);
          for (let e = 0; e < 16; e++) {
            const i = e >> 2;
            const j = e & 3;
            const decoded = (((word >>> (2 * i)) >>> (8 * j)) & 3) - 2;
            sum += q[k0 * 128 + 16 * x + e] * decoded;
          }
        }
      }
      acc[block * 16 + y] = sum;
    }
  }
  return acc;
}

const ternary = (length: number) => fc.array(fc.integer({ min: -1, max: 1 }), { minLength: length, maxLength: length });
const int8s = (length: number) =>
  fc.array(fc.integer({ min: -128, max: 127 }), { minLength: length, maxLength: length });

describe("w2a8Accumulate", () => {
  test("equals the kernel's thread-by-thread reading of the packed weight (n = 32, k = 256)", () => {
    const [n, k] = [32, 256];
    checkProperty(
      "w2a8 accumulate = the kernel's own read of packW2a8",
      fc.property(ternary(n * k), int8s(k), (w, a) => {
        const weights = Int8Array.from(w);
        const q = Int8Array.from(a);
        expect(Array.from(w2a8Accumulate(q, weights, n, k))).toEqual(
          Array.from(kernelAccumulate(q, packW2a8(weights, n, k), n, k)),
        );
      }),
      { numRuns: 25 },
    );
  });

  test("is Σ q·t for a hand-checked row", () => {
    const q = Int8Array.from([127, -128, 5, 0]);
    const weights = Int8Array.from([1, 1, -1, 1, -1, -1, 0, 0]);
    expect(Array.from(w2a8Accumulate(q, weights, 2, 4))).toEqual([127 - 128 - 5, -127 + 128]);
  });
});

describe("w2a8Epilogue", () => {
  test("divides by s and multiplies by ws in float32, then rounds to bf16 (not acc·(1/s), not in double)", () => {
    const ws = Float32Array.from([roundToBf16(0.8)]);
    // 87035 / 3 · 0.80078125: f32 steps give 23168; multiplying by f32(1/3) instead gives 23296
    expect(w2a8Epilogue(Int32Array.from([87035]), 3, ws, 1)[0]).toBe(23168);
    expect(roundToBf16(Math.fround(Math.fround(87035 * Math.fround(1 / 3)) * ws[0]))).toBe(23296);
    // 109573 / 3 · 0.80078125: f32 steps give 29184; one double-precision expression gives 29312
    expect(w2a8Epilogue(Int32Array.from([109573]), 3, ws, 1)[0]).toBe(29184);
    expect(roundToBf16((109573 / 3) * ws[0])).toBe(29312);
  });

  test("picks ws[o / (n / wsNum)]: for 3840 = q 2560 + k 640 + v 640 the thirds are not the three matrices", () => {
    const acc = new Int32Array(3840).fill(1);
    const ws = Float32Array.from([1, 2, 4, 0]);
    const y = w2a8Epilogue(acc, 1, ws, 3);
    expect([y[0], y[1279], y[1280], y[2559], y[2560], y[3839]]).toEqual([1, 1, 2, 2, 4, 4]);
  });

  test("refuses a scale index past ws (the GPU would read past the tensor)", () => {
    expect(() => w2a8Epilogue(new Int32Array(4800), 1, new Float32Array(4), 6)).toThrow(/ws\[4\]/);
  });
});

describe("w2a8Linear and the kernel table", () => {
  test("the table is the dispatch chain of bitlinear_int8xint2 (M = 1 only, K a multiple of 128)", () => {
    expect(W2A8_KERNEL_SHAPES.length).toBe(10);
    for (const s of W2A8_KERNEL_SHAPES) {
      expect(s.m).toBe(1);
      expect(s.k % 128).toBe(0);
      expect(s.n % 16).toBe(0);
    }
    expect(findW2a8Kernel(1, 2560, 2560)?.wsNum).toBe(1);
    expect(findW2a8Kernel(2, 2560, 2560)).toBeUndefined();
  });

  test("an unsupported shape leaves the torch.zeros output untouched", () => {
    const x = Float32Array.from({ length: 64 }, (_, j) => roundToBf16(Math.sin(j)));
    expect(Array.from(w2a8Linear(x, new Int8Array(16 * 64).fill(1), 16, Float32Array.from([1]), "eager"))).toEqual(
      new Array(16).fill(0),
    );
  });

  test("a supported shape computes quantize → accumulate → epilogue", () => {
    const [n, k] = [2560, 2560];
    const x = Float32Array.from({ length: k }, (_, j) => roundToBf16(Math.cos(j * 0.37) * (1 + (j % 7))));
    const weights = Int8Array.from({ length: n * k }, (_, i) => ((i * 7) % 3) - 1);
    const ws = Float32Array.from([roundToBf16(0.8), 0, 0, 0]);
    const { q, scale } = quantizeW2a8Activations(x, "fused");
    const expected = w2a8Epilogue(w2a8Accumulate(q, weights, n, k), scale, ws, 1);
    expect(Array.from(w2a8Linear(x, weights, n, ws, "fused"))).toEqual(Array.from(expected));
    expect(expected.some((v) => v !== 0)).toBe(true);
  });
});
