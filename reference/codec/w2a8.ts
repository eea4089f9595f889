/**
 * The BitNet GPU kernel's W2A8 weight layout (microsoft/BitNet gpu/pack_weight.py, read by
 * gpu/bitnet_kernels/bitnet_kernels.h `ladder_int8xint2_kernel`). Implements spec/bitnet.md §6.
 *
 *   W: Int8Array[n × k] (row = output n, column = input k), t ∈ {−1, 0, +1}
 *   code = t + 2 ∈ {1, 2, 3}   (not t + 1 as I2_S and Hugging Face store it)
 *   packed: Uint8Array[n × k/4] (the int8 tensor (N, K/4) as bytes), in int32 words:
 *     block (n/16, k/32) of 16×32 codes → 128 bytes = 32 words, blocks in row-major (n/16, k/32) order;
 *     inside, position q = 32·ii + jj holds W[16·bn + r][32·bk + c], (r, c) = B_global_16x32_to_shared_load(ii, jj);
 *     word q/16 holds positions 16·(q/16) … +15; position offset o = q mod 16 goes to crumb 4·(o mod 4) + o/4
 *     (bits 2·crumb, 2·crumb+1 of the little-endian word): the interleave of `interleave_weight_int8`.
 */

/** Rows of one permutation block (`wmma_n`). */
export const W2A8_BLOCK_N = 16;
/** Inputs of one permutation block (`wmma_k`). */
export const W2A8_BLOCK_K = 32;

/** The GPU code of a ternary weight: t + 2. Spec §6. */
export function w2a8Code(t: number): number {
  return t + 2;
}

/**
 * `B_global_16x32_to_shared_load_16x32_layout(i, j)` of gpu/pack_weight.py: the block position
 * (i, j) takes the weight at block row `row` and column `col`. Spec §6.
 */
export function w2a8SharedLoadLayout(i: number, j: number): { row: number; col: number } {
  const threadId = i * 2 + Math.floor(j / 16);
  const row = Math.floor(threadId / 16) * 8 + (threadId % 8);
  const col = (j % 16) + 16 * Math.floor((threadId % 16) / 8);
  return { row, col };
}

/**
 * crumbOfOffset[o] = where `interleave_weight_int8` (nbits = 2) moves the crumb at offset o of a word:
 * shift = (o mod 4)·8 + (o / 4)·2, i.e. crumb (o mod 4)·4 + o/4. Its inverse, read by crumb,
 * is [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15]. Spec §6.
 */
export function w2a8InterleaveCrumbs(): Int32Array {
  const out = new Int32Array(16);
  const bitsStride = 8;
  const nbits = 2;
  const numGroups = 32 / bitsStride;
  for (let offset = 0; offset < 16; offset++) {
    const shift = (offset % numGroups) * bitsStride + Math.floor(offset / numGroups) * nbits;
    out[offset] = shift / nbits;
  }
  return out;
}

/** Where one element W[n][k] lives in the packed tensor. Spec §6. */
export interface W2a8ElementLocation {
  /** Index of the little-endian int32 word (byte offset / 4). */
  readonly word: number;
  /** Crumb 0..15 of that word (bits 2·crumb, 2·crumb+1). */
  readonly crumb: number;
}

/** The block position (i, j) whose weight is block row r, column c: the inverse of the shared-load layout. */
function inverseSharedLoad(): Int32Array {
  const inverse = new Int32Array(W2A8_BLOCK_N * W2A8_BLOCK_K).fill(-1);
  for (let i = 0; i < W2A8_BLOCK_N; i++) {
    for (let j = 0; j < W2A8_BLOCK_K; j++) {
      const { row, col } = w2a8SharedLoadLayout(i, j);
      inverse[row * W2A8_BLOCK_K + col] = i * W2A8_BLOCK_K + j;
    }
  }
  if (inverse.includes(-1)) throw new Error("the 16×32 shared-load layout is not a permutation");
  return inverse;
}

/** Why a shape cannot be packed (empty when it can): n a multiple of 16, k of 32. Spec §6. */
export function w2a8ShapeProblems(n: number, k: number): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(n) || n <= 0 || n % W2A8_BLOCK_N !== 0)
    problems.push(`n = ${n} is not a positive multiple of 16`);
  if (!Number.isInteger(k) || k <= 0 || k % W2A8_BLOCK_K !== 0)
    problems.push(`k = ${k} is not a positive multiple of 32`);
  return problems;
}

/** Throw a one-line error naming what is wrong with a shape. */
function assertShape(n: number, k: number): void {
  const problems = w2a8ShapeProblems(n, k);
  if (problems.length > 0) throw new Error(`W2A8 shape (${n}, ${k}): ${problems.join("; ")}`);
}

/**
 * locations[n·k + kk] for every element of an (n, k) weight, generated from the packer's definitions.
 * Spec §6.
 */
export function w2a8ElementMap(n: number, k: number): W2a8ElementLocation[] {
  assertShape(n, k);
  const inverse = inverseSharedLoad();
  const crumbs = w2a8InterleaveCrumbs();
  const blocksK = k / W2A8_BLOCK_K;
  const out = new Array<W2a8ElementLocation>(n * k);
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < k; col++) {
      const block = Math.floor(row / W2A8_BLOCK_N) * blocksK + Math.floor(col / W2A8_BLOCK_K);
      const q = inverse[(row % W2A8_BLOCK_N) * W2A8_BLOCK_K + (col % W2A8_BLOCK_K)];
      out[row * k + col] = { word: block * 32 + Math.floor(q / 16), crumb: crumbs[q % 16] };
    }
  }
  return out;
}

/** Read crumb c of little-endian word w of bytes. */
function readCrumb(bytes: Uint8Array, word: number, crumb: number): number {
  return (bytes[4 * word + (crumb >> 2)] >> (2 * (crumb & 3))) & 3;
}

/** Ternary weights [n × k] → the packed bytes [n · k/4], as `convert_weight_int8_to_int2` writes them. Spec §6. */
export function packW2a8(weights: Int8Array, n: number, k: number): Uint8Array {
  if (weights.length !== n * k) throw new Error(`W2A8: ${weights.length} weights, expected n·k = ${n * k}`);
  const map = w2a8ElementMap(n, k);
  const out = new Uint8Array((n * k) / 4);
  for (let e = 0; e < map.length; e++) {
    const t = weights[e];
    if (t < -1 || t > 1) throw new Error(`W2A8: weight (${Math.floor(e / k)}, ${e % k}) = ${t} is not ternary`);
    const { word, crumb } = map[e];
    out[4 * word + (crumb >> 2)] |= w2a8Code(t) << (2 * (crumb & 3));
  }
  return out;
}

/**
 * The packed bytes → ternary weights [n × k] (t = code − 2, as `decode_i2s_to_i8s` does with
 * `__vsubss4(…, 0x02020202)`). Code 0 is never written; the kernel reads it as −2, and so does this
 * function (validateW2a8 reports it). Spec §6.
 */
export function unpackW2a8(bytes: Uint8Array, n: number, k: number): Int8Array {
  if (bytes.length !== (n * k) / 4) throw new Error(`W2A8: ${bytes.length} bytes, expected n·k/4 = ${(n * k) / 4}`);
  const map = w2a8ElementMap(n, k);
  const out = new Int8Array(n * k);
  for (let e = 0; e < map.length; e++) out[e] = readCrumb(bytes, map[e].word, map[e].crumb) - 2;
  return out;
}

/** One thing wrong with a packed W2A8 weight. */
export interface W2a8Finding {
  readonly kind: "shape" | "byte-count" | "code-zero";
  readonly byte?: number;
  readonly message: string;
}

/**
 * What the packer never writes: a shape not a multiple of (16, 32), a byte count other than n·k/4, code 0
 * (the kernel decodes it as −2, outside the ternary set). Spec §6.
 */
export function validateW2a8(bytes: Uint8Array, n: number, k: number): W2a8Finding[] {
  const shape = w2a8ShapeProblems(n, k);
  if (shape.length > 0) return shape.map((message) => ({ kind: "shape", message }));
  if (bytes.length !== (n * k) / 4)
    return [{ kind: "byte-count", message: `${bytes.length} bytes, expected n·k/4 = ${(n * k) / 4}` }];
  const findings: W2a8Finding[] = [];
  for (let b = 0; b < bytes.length; b++) {
    for (let c = 0; c < 4; c++) {
      if (((bytes[b] >> (2 * c)) & 3) === 0)
        findings.push({ kind: "code-zero", byte: b, message: `byte ${b} crumb ${c} holds code 0 (−2)` });
    }
  }
  return findings;
}
