/**
 * One output element of llamafile's tinyBLAS (ggml/src/ggml-cpu/llamafile/sgemm.cpp,
 * `tinyBLAS<KN, V, V, TA, TB, float>`, KN = 8 for AVX2 `__m256`, 16 for AVX-512 `__m512`), which
 * llama.cpp's CPU backend uses for F32 and F16 matmuls of a batch of ≥ 2 tokens when k % KN = 0 and m % 4 = 0
 * (spec/forward.md §9.3).
 * Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 *
 *   acc_t = 0;  for l = 0, KN, 2·KN, …:  acc_t = fma_f32(a[l+t], b[l+t], acc_t)    (t < KN, `madd`)
 *   C     = hsum(acc)       AVX2: hsumF32x8;  AVX-512: _mm512_reduce_add_ps (reduceAddF32x16)
 * One accumulator register per output element; the m/n tiling (RM, RN, threads) only decides which
 * element is computed when, never its arithmetic — so the result does not depend on the batch.
 * F16/BF16 operands are widened exactly on load (`cvtph_ps`, `<< 16`): pass their float32 values.
 */

import { fmaF32 } from "./fma.js";
import { hsumRegister } from "./hsum.js";
import { f32Lanes, type X86Isa } from "./isa.js";

/**
 * Σ_l a[l]·b[l] in tinyBLAS order for `isa`: a, b float32 values of length k (a multiple of the
 * lane count) → float32. Spec §9.
 */
export function tinyBlasDot(a: ArrayLike<number>, b: ArrayLike<number>, isa: X86Isa): number {
  const lanes = f32Lanes(isa);
  const k = a.length;
  if (b.length !== k || k % lanes !== 0) {
    throw new RangeError(`tinyBLAS dot: lengths ${a.length} and ${b.length} must be equal and a multiple of ${lanes}`);
  }
  const acc = new Float32Array(lanes);
  for (let l = 0; l < k; l += lanes) {
    for (let t = 0; t < lanes; t++) acc[t] = fmaF32(a[l + t], b[l + t], acc[t]);
  }
  return hsumRegister(isa, acc);
}
