/**
 * gpu.js kernel functions for the gpujs backend and the per-shape kernel cache.
 *
 * Every kernel is plain float arithmetic (no bitwise operators), so the same source runs in
 * gpu.js's webasm mode (Node) and compiles to GLSL for WebGL 1/2: integers below 2^24 are exact
 * in float32, and only such integers are ever formed while decoding packed weights.
 *
 * Packed data as the kernels see it (see layout.ts): a row's packed bytes, read as little-endian
 * 16-bit words w = byte[2i] + 256·byte[2i+1] (each < 2^16, exact in float32), uploaded verbatim
 * (the fp16 scale word included, the kernels skip it) — TQ2_0: 33 words a block, TQ1_0: 27.
 * The fp16 block scales are passed separately, decoded to float32 on the host.
 */

import { GLKernel, GPU, Texture, type IKernelRunShortcut, type KernelFunction } from "gpu.js";

/**
 * The `this` that gpu.js gives a kernel function. gpu.js's own typings make kernel functions
 * generic over loosely-typed argument lists; this local type keeps the kernels in this file typed
 * without leaking `any` anywhere: kernels are cast to gpu.js's KernelFunction only in `build`.
 */
interface KernelThis {
  readonly thread: { readonly x: number; readonly y: number; readonly z: number };
  readonly constants: Readonly<Record<string, number>>;
}

/** Words per TQ2_0 block (64 code bytes + 2 scale bytes). */
export const TQ2_WORDS_PER_BLOCK = 33;
/** Words per TQ1_0 block (52 trit bytes + 2 scale bytes). */
export const TQ1_WORDS_PER_BLOCK = 27;

// ---------------------------------------------------------------------------------------------
// Matmul kernels. Output [R, B] (thread.x = row r, thread.y = batch b): in webasm four neighbouring
// rows run as one f32x4 SIMD quad; everything not derived from thread.x is lane-uniform there (one
// scalar value), so x is read once per quad and the decode runs on four rows' words at once.
// The "...BatchX" variants swap the axes (output [B, R]): the words are then uniform, decoded once
// per quad in scalar code, and x is gathered per lane. Arguments:
//   w  packed words [R · nb · wordsPerBlock], s weight scales [R · nb] (float32 of the fp16 d),
//   x  activations [B · cols] (converted values, or Q8_K int8 values q in ggml-matmul mode),
//   da activation scale per block [B · nb] (the Q8_K d in ggml-matmul mode, else 1).
// y[b, r] = Σ_blk f32(s·da) · Σ_e (code_e − 1)·x_e.

/**
 * TQ2_0. Word i of a block holds bytes 2i (low) and 2i+1 (high); byte j of half h (h = 0, 1;
 * j = 0..31) holds elements 128h + j + 32k at bits 2k. Read as a base-4 number the word's eight
 * digits are those codes, low byte first: with t_k = floor(word / 4^k) (word · 4^-k is exact, a
 * power-of-two scaling of an integer < 2^16), digit k = t_k − 4·t_(k+1). The t_k are computed
 * independently of each other (no serial floor chain: floor's latency bounds a chain in webasm).
 */
function tq2MatmulKernel(
  this: KernelThis,
  w: Float32Array,
  s: Float32Array,
  x: Float32Array,
  da: Float32Array,
): number {
  const r = this.thread.x; // swapped with thread.y in the batch-on-x variants (see KERNEL_SOURCES)
  const b = this.thread.y;
  const nb = this.constants.nb;
  const cols = this.constants.cols;
  let acc = 0;
  for (let blk = 0; blk < nb; blk++) {
    const wb = (r * nb + blk) * 33;
    const xb = b * cols + blk * 256;
    let sum = 0;
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < 16; i++) {
        const e = xb + h * 128 + i * 2; // low byte: elements e + 32k; high byte: e + 1 + 32k
        const t0 = w[wb + h * 16 + i];
        const t1 = Math.floor(t0 * 0.25);
        const t2 = Math.floor(t0 * 0.0625);
        const t3 = Math.floor(t0 * 0.015625);
        const t4 = Math.floor(t0 * 0.00390625);
        const t5 = Math.floor(t0 * 0.0009765625);
        const t6 = Math.floor(t0 * 0.000244140625);
        const t7 = Math.floor(t0 * 0.00006103515625);
        const lowSum =
          (t0 - t1 * 4 - 1) * x[e] +
          (t1 - t2 * 4 - 1) * x[e + 32] +
          ((t2 - t3 * 4 - 1) * x[e + 64] + (t3 - t4 * 4 - 1) * x[e + 96]);
        const highSum =
          (t4 - t5 * 4 - 1) * x[e + 1] +
          (t5 - t6 * 4 - 1) * x[e + 33] +
          ((t6 - t7 * 4 - 1) * x[e + 65] + (t7 - 1) * x[e + 97]);
        sum += lowSum + highSum;
      }
    }
    acc += s[r * nb + blk] * da[b * nb + blk] * sum;
  }
  return acc;
}

/**
 * TQ1_0: bytes 0..31 hold elements j + 32n (n = 0..4), bytes 32..47 hold 160 + (j−32) + 16n,
 * bytes 48..51 (qh) hold 240 + (j−48) + 4n for n = 0..3 (their fifth trit is unused).
 * Trit n of a byte: t = byte·3^n (≤ 255·81 < 2^24, exact), q = t − 256·floor(t/256) = t mod 256,
 * trit = floor(q·3/256) (q·3/256 = q·0.01171875 is exact: q·3 < 2^10 scaled by 2^-8) — exactly
 * ((byte·3^n) mod 256)·3 >> 8. Each trit is computed independently (no serial chain).
 */
function tq1MatmulKernel(
  this: KernelThis,
  w: Float32Array,
  s: Float32Array,
  x: Float32Array,
  da: Float32Array,
): number {
  const r = this.thread.x; // swapped with thread.y in the batch-on-x variants (see KERNEL_SOURCES)
  const b = this.thread.y;
  const nb = this.constants.nb;
  const cols = this.constants.cols;
  let acc = 0;
  for (let blk = 0; blk < nb; blk++) {
    const wb = (r * nb + blk) * 27;
    const xb = b * cols + blk * 256;
    let sum = 0;
    for (let i = 0; i < 16; i++) {
      const word = w[wb + 0 + i];
      const hi = Math.floor(word * 0.00390625);
      const lo = word - hi * 256;
      const e = xb + 0 + i * 2;
      const lo0t = lo;
      const lo0 = Math.floor((lo0t - Math.floor(lo0t * 0.00390625) * 256) * 0.01171875);
      const lo1t = lo * 3;
      const lo1 = Math.floor((lo1t - Math.floor(lo1t * 0.00390625) * 256) * 0.01171875);
      const lo2t = lo * 9;
      const lo2 = Math.floor((lo2t - Math.floor(lo2t * 0.00390625) * 256) * 0.01171875);
      const lo3t = lo * 27;
      const lo3 = Math.floor((lo3t - Math.floor(lo3t * 0.00390625) * 256) * 0.01171875);
      const lo4t = lo * 81;
      const lo4 = Math.floor((lo4t - Math.floor(lo4t * 0.00390625) * 256) * 0.01171875);
      sum +=
        (lo0 - 1) * x[e] +
        (lo1 - 1) * x[e + 32] +
        ((lo2 - 1) * x[e + 64] + (lo3 - 1) * x[e + 96]) +
        (lo4 - 1) * x[e + 128];
      const hi0t = hi;
      const hi0 = Math.floor((hi0t - Math.floor(hi0t * 0.00390625) * 256) * 0.01171875);
      const hi1t = hi * 3;
      const hi1 = Math.floor((hi1t - Math.floor(hi1t * 0.00390625) * 256) * 0.01171875);
      const hi2t = hi * 9;
      const hi2 = Math.floor((hi2t - Math.floor(hi2t * 0.00390625) * 256) * 0.01171875);
      const hi3t = hi * 27;
      const hi3 = Math.floor((hi3t - Math.floor(hi3t * 0.00390625) * 256) * 0.01171875);
      const hi4t = hi * 81;
      const hi4 = Math.floor((hi4t - Math.floor(hi4t * 0.00390625) * 256) * 0.01171875);
      sum +=
        (hi0 - 1) * x[e + 1] +
        (hi1 - 1) * x[e + 1 + 32] +
        ((hi2 - 1) * x[e + 1 + 64] + (hi3 - 1) * x[e + 1 + 96]) +
        (hi4 - 1) * x[e + 1 + 128];
    }
    for (let i = 0; i < 8; i++) {
      const word = w[wb + 16 + i];
      const hi = Math.floor(word * 0.00390625);
      const lo = word - hi * 256;
      const e = xb + 160 + i * 2;
      const lo0t = lo;
      const lo0 = Math.floor((lo0t - Math.floor(lo0t * 0.00390625) * 256) * 0.01171875);
      const lo1t = lo * 3;
      const lo1 = Math.floor((lo1t - Math.floor(lo1t * 0.00390625) * 256) * 0.01171875);
      const lo2t = lo * 9;
      const lo2 = Math.floor((lo2t - Math.floor(lo2t * 0.00390625) * 256) * 0.01171875);
      const lo3t = lo * 27;
      const lo3 = Math.floor((lo3t - Math.floor(lo3t * 0.00390625) * 256) * 0.01171875);
      const lo4t = lo * 81;
      const lo4 = Math.floor((lo4t - Math.floor(lo4t * 0.00390625) * 256) * 0.01171875);
      sum +=
        (lo0 - 1) * x[e] +
        (lo1 - 1) * x[e + 16] +
        ((lo2 - 1) * x[e + 32] + (lo3 - 1) * x[e + 48]) +
        (lo4 - 1) * x[e + 64];
      const hi0t = hi;
      const hi0 = Math.floor((hi0t - Math.floor(hi0t * 0.00390625) * 256) * 0.01171875);
      const hi1t = hi * 3;
      const hi1 = Math.floor((hi1t - Math.floor(hi1t * 0.00390625) * 256) * 0.01171875);
      const hi2t = hi * 9;
      const hi2 = Math.floor((hi2t - Math.floor(hi2t * 0.00390625) * 256) * 0.01171875);
      const hi3t = hi * 27;
      const hi3 = Math.floor((hi3t - Math.floor(hi3t * 0.00390625) * 256) * 0.01171875);
      const hi4t = hi * 81;
      const hi4 = Math.floor((hi4t - Math.floor(hi4t * 0.00390625) * 256) * 0.01171875);
      sum +=
        (hi0 - 1) * x[e + 1] +
        (hi1 - 1) * x[e + 1 + 16] +
        ((hi2 - 1) * x[e + 1 + 32] + (hi3 - 1) * x[e + 1 + 48]) +
        (hi4 - 1) * x[e + 1 + 64];
    }
    for (let i = 0; i < 2; i++) {
      const word = w[wb + 24 + i];
      const hi = Math.floor(word * 0.00390625);
      const lo = word - hi * 256;
      const e = xb + 240 + i * 2;
      const lo0t = lo;
      const lo0 = Math.floor((lo0t - Math.floor(lo0t * 0.00390625) * 256) * 0.01171875);
      const lo1t = lo * 3;
      const lo1 = Math.floor((lo1t - Math.floor(lo1t * 0.00390625) * 256) * 0.01171875);
      const lo2t = lo * 9;
      const lo2 = Math.floor((lo2t - Math.floor(lo2t * 0.00390625) * 256) * 0.01171875);
      const lo3t = lo * 27;
      const lo3 = Math.floor((lo3t - Math.floor(lo3t * 0.00390625) * 256) * 0.01171875);
      sum += (lo0 - 1) * x[e] + (lo1 - 1) * x[e + 4] + ((lo2 - 1) * x[e + 8] + (lo3 - 1) * x[e + 12]);
      const hi0t = hi;
      const hi0 = Math.floor((hi0t - Math.floor(hi0t * 0.00390625) * 256) * 0.01171875);
      const hi1t = hi * 3;
      const hi1 = Math.floor((hi1t - Math.floor(hi1t * 0.00390625) * 256) * 0.01171875);
      const hi2t = hi * 9;
      const hi2 = Math.floor((hi2t - Math.floor(hi2t * 0.00390625) * 256) * 0.01171875);
      const hi3t = hi * 27;
      const hi3 = Math.floor((hi3t - Math.floor(hi3t * 0.00390625) * 256) * 0.01171875);
      sum += (hi0 - 1) * x[e + 1] + (hi1 - 1) * x[e + 1 + 4] + ((hi2 - 1) * x[e + 1 + 8] + (hi3 - 1) * x[e + 1 + 12]);
    }
    acc += s[r * nb + blk] * da[b * nb + blk] * sum;
  }
  return acc;
}

/** Float weights (decoded on the host): y[b, r] = Σ_c w[r·cols + c]·x[b·cols + c]. */
function floatMatmulKernel(this: KernelThis, w: Float32Array, x: Float32Array): number {
  const r = this.thread.x;
  const b = this.thread.y;
  const cols = this.constants.cols;
  let acc = 0;
  for (let c = 0; c < cols; c++) acc += w[r * cols + c] * x[b * cols + c];
  return acc;
}

// ---------------------------------------------------------------------------------------------
// Decode kernels: the code (0..3) of every element, through the same helpers as the matmuls.
// Output [nBlocks · 256], thread.x = blk·256 + e.

/**
 * TQ2_0 code of element e (byte (e/128)·32 + e%32, shift 2·((e%128)/32)): digit d of its 16-bit
 * word (d = 0..3 low byte, 4..7 high byte), extracted with the matmul kernel's arithmetic.
 */
function tq2DecodeKernel(this: KernelThis, w: Float32Array): number {
  const blk = Math.floor(this.thread.x / 256);
  const e = this.thread.x - blk * 256;
  const h = Math.floor(e / 128);
  const k = Math.floor((e - h * 128) / 32);
  const byteIndex = h * 32 + (e - h * 128 - k * 32);
  const wordIndex = Math.floor(byteIndex / 2);
  const digit = (byteIndex - wordIndex * 2) * 4 + k;
  let t = w[blk * 33 + wordIndex];
  let code = 0;
  for (let d = 0; d < 8; d++) {
    const next = Math.floor(t * 0.25);
    if (d === digit) code = t - next * 4;
    t = next;
  }
  return code;
}

/** TQ1_0 trit of element e (tq1ElementPosition), extracted with the matmul kernel's arithmetic. */
function tq1DecodeKernel(this: KernelThis, w: Float32Array): number {
  const blk = Math.floor(this.thread.x / 256);
  const e = this.thread.x - blk * 256;
  let byteIndex = 0;
  let trit = 0;
  if (e < 160) {
    trit = Math.floor(e / 32);
    byteIndex = e - trit * 32;
  } else if (e < 240) {
    trit = Math.floor((e - 160) / 16);
    byteIndex = 32 + (e - 160 - trit * 16);
  } else {
    trit = Math.floor((e - 240) / 4);
    byteIndex = 48 + (e - 240 - trit * 4);
  }
  const wordIndex = Math.floor(byteIndex / 2);
  const word = w[blk * 27 + wordIndex];
  const hi = Math.floor(word * 0.00390625);
  let q = word - hi * 256;
  if (byteIndex - wordIndex * 2 > 0.5) q = hi;
  let code = 0;
  for (let n = 0; n < 5; n++) {
    const m = q * 3;
    const c = Math.floor(m * 0.00390625);
    if (n === trit) code = c;
    q = m - c * 256;
  }
  return code;
}

// ---------------------------------------------------------------------------------------------
// Attention scores: s[b, h, t] = Σ_i q[b, h, i]·k[t, g(h), i] for t < tPad (masking on the host).
// Output [tPad, B·nHeads]: thread.x = t, thread.y = b·nHeads + h.

function attentionScoresKernel(this: KernelThis, q: Float32Array, k: Float32Array): number {
  const t = this.thread.x;
  const bh = this.thread.y;
  const nHeads = this.constants.nHeads;
  const headDim = this.constants.headDim;
  const kvDim = this.constants.kvDim;
  const h = bh - Math.floor(bh / nHeads) * nHeads;
  const g = Math.floor(h / this.constants.headsPerKv);
  let acc = 0;
  for (let i = 0; i < headDim; i++) acc += q[bh * headDim + i] * k[t * kvDim + g * headDim + i];
  return acc;
}

/** o[b, h, i] = Σ_t p[b, h, t]·v[t, g(h), i]; output [headDim, B·nHeads]. */
function attentionValuesKernel(this: KernelThis, p: Float32Array, v: Float32Array): number {
  const i = this.thread.x;
  const bh = this.thread.y;
  const nHeads = this.constants.nHeads;
  const headDim = this.constants.headDim;
  const kvDim = this.constants.kvDim;
  const tPad = this.constants.tPad;
  const h = bh - Math.floor(bh / nHeads) * nHeads;
  const g = Math.floor(h / this.constants.headsPerKv);
  let acc = 0;
  for (let t = 0; t < tPad; t++) acc += p[bh * tPad + t] * v[t * kvDim + g * headDim + i];
  return acc;
}

// ---------------------------------------------------------------------------------------------

/** Which kernel: the name doubles as the cache key prefix. */
export type KernelName =
  | "tq2Matmul"
  | "tq1Matmul"
  | "tq2MatmulBatchX"
  | "tq1MatmulBatchX"
  | "floatMatmul"
  | "tq2Decode"
  | "tq1Decode"
  | "attentionScores"
  | "attentionValues";

/** A kernel's source with this.thread.x and this.thread.y exchanged (the batch-on-x variants). */
function swapThreadAxes(kernel: (this: KernelThis, ...args: Float32Array[]) => number): string {
  return kernel
    .toString()
    .replace(/this\.thread\.([xy])\b/g, (_, axis: string) => `this.thread.${axis === "x" ? "y" : "x"}`);
}

const KERNEL_SOURCES: Readonly<Record<KernelName, ((this: KernelThis, ...args: Float32Array[]) => number) | string>> = {
  tq2Matmul: tq2MatmulKernel,
  tq1Matmul: tq1MatmulKernel,
  tq2MatmulBatchX: swapThreadAxes(tq2MatmulKernel),
  tq1MatmulBatchX: swapThreadAxes(tq1MatmulKernel),
  floatMatmul: floatMatmulKernel,
  tq2Decode: tq2DecodeKernel,
  tq1Decode: tq1DecodeKernel,
  attentionScores: attentionScoresKernel,
  attentionValues: attentionValuesKernel,
};

/**
 * The identity on one array, as a gpu.js pipeline kernel: output [n], thread.x = i. Run once per weight
 * array in GL modes (KernelCache.resident), it leaves the array's values in a texture of their own.
 */
function copyKernel(this: KernelThis, v: Float32Array): number {
  return v[this.thread.x];
}

/**
 * A kernel argument: a Float32Array (uploaded to the GPU by gpu.js on every call in GL modes) or a
 * texture already on the GPU (KernelCache.resident), which a GL kernel samples where it lies.
 */
export type KernelArgument = Float32Array | Texture;

/** A compiled kernel: its arguments → output as a flat Float32Array (row-major over y, x). */
export type CompiledKernel = (...args: KernelArgument[]) => Float32Array;

/** Compiled kernels keyed by name, output shape and constants (gpu.js bakes both into the code). */
export class KernelCache {
  private readonly kernels = new Map<string, { run: IKernelRunShortcut; compiled: CompiledKernel }>();
  /** The copyKernel pipelines of `resident`, by array length (gpu.js bakes the output size into the shader). */
  private readonly copies = new Map<number, IKernelRunShortcut>();
  /** Milliseconds spent in first calls (gpu.js compiles lazily on the first run), for the benchmarks. */
  compileMs = 0;

  constructor(readonly gpu: GPU) {}

  /** The kernel `name` for output [x] or [x, y] and these constants, compiled on first use. */
  get(
    name: KernelName,
    output: readonly [number] | readonly [number, number],
    constants: Readonly<Record<string, number>>,
  ): CompiledKernel {
    const key = `${name}|${output.join("x")}|${Object.entries(constants)
      .map(([k, v]) => `${k}=${v}`)
      .join(",")}`;
    const cached = this.kernels.get(key);
    if (cached !== undefined) return cached.compiled;
    const source = KERNEL_SOURCES[name];
    const settings = { output: [...output], constants: { ...constants }, tactic: "precision" as const };
    const run =
      typeof source === "string"
        ? this.gpu.createKernel(source, settings)
        : this.gpu.createKernel(source as unknown as KernelFunction, settings);
    let first = true;
    const compiled: CompiledKernel = (...args) => {
      const start = first ? performance.now() : 0;
      const result = flatten(run(...args) as unknown, output);
      if (first) {
        this.compileMs += performance.now() - start;
        first = false;
      }
      return result;
    };
    this.kernels.set(key, { run, compiled });
    return compiled;
  }

  /**
   * Whether kernel arguments can stay on the GPU between calls: gpu.js runs its kernels in a GL mode
   * (WebGL, WebGL2, headless-gl), where an argument is a texture. In webasm and cpu every argument is
   * a host array anyway (and gpu.js's pipeline textures would send a webasm kernel to its cpu fallback).
   */
  get keepsTextures(): boolean {
    return this.gpu.Kernel.prototype instanceof GLKernel;
  }

  /**
   * `values` copied once into a texture of their own by the pipeline kernel copyKernel (immutable: each
   * run leaves a new texture, so every weight array keeps its own), stored as float32 four to a texel
   * (single precision, memory-optimized: every value exact, as when gpu.js uploads the array itself).
   * The caller frees it with delete() (spec/performance.md §6). Returns `values` themselves where that cannot be had: not a GL
   * mode, or gpu.js chose another precision (its byte-packed "unsigned" textures re-encode values in
   * the shader) or fell back to the CPU for this kernel.
   */
  resident(values: Float32Array): KernelArgument {
    if (!this.keepsTextures || values.length === 0) return values;
    let copy = this.copies.get(values.length);
    if (copy === undefined) {
      copy = this.gpu.createKernel(copyKernel as unknown as KernelFunction, {
        output: [values.length],
        pipeline: true,
        immutable: true,
        optimizeFloatMemory: true,
        tactic: "precision",
      });
      this.copies.set(values.length, copy);
    }
    const texture: unknown = copy(values);
    if (!(texture instanceof Texture)) return values;
    if ((texture as { type?: string }).type !== "MemoryOptimizedNumberTexture") {
      texture.delete();
      return values;
    }
    return texture;
  }

  /** Number of compiled kernels. */
  get size(): number {
    return this.kernels.size;
  }

  /** Destroy every compiled kernel (the textures `resident` made go with the GL context, GPU.destroy). */
  clear(): void {
    for (const { run } of this.kernels.values()) run.destroy();
    this.kernels.clear();
    for (const copy of this.copies.values()) copy.destroy();
    this.copies.clear();
  }
}

/** gpu.js returns Float32Array for 1-D output and Float32Array[] (one per y) for 2-D: flatten to y-major. */
function flatten(result: unknown, output: readonly number[]): Float32Array {
  if (result instanceof Float32Array) return result;
  if (Array.isArray(result)) {
    const width = output[0];
    const out = new Float32Array(width * result.length);
    result.forEach((row: unknown, y) => {
      if (!(row instanceof Float32Array)) throw new TypeError("gpu.js returned a row that is not a Float32Array");
      out.set(row, y * width);
    });
    return out;
  }
  throw new TypeError("gpu.js returned neither a Float32Array nor an array of them");
}
