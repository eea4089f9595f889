/**
 * The recorded x86-64 kernel outputs (fixtures/x86-kernels.json, see fixtures/README.md) and hex
 * decoders for them, shared by the reference/ggml-x86 tests.
 */
import { readFileSync } from "node:fs";
import { bf16BitsToF32, f16BitsToF32 } from "../../../reference/codec/index.js";

/** One recorded dot product: operands (hex) and the kernel's float32 result. */
export interface DotCase {
  readonly x: string;
  readonly y: string;
  readonly dot: string;
}
/** One recorded tinyBLAS output element: k, a row of A, a row of B, C. */
export interface TinyBlasCase {
  readonly k: number;
  readonly a: string;
  readonly b: string;
  readonly c: string;
}
/** Per-ISA records. */
export interface PerIsa<T> {
  readonly avx2: T;
  readonly avx512: T;
}

/** The JSON's shape. */
export interface X86Fixtures {
  readonly provenance: readonly string[];
  /** a, b, c, fmaf(a, b, c) as four float32 hex words per entry. */
  readonly fmaf: readonly string[];
  /** a, b, c, fma(a, b, c) as four float64 hex words per entry. */
  readonly fma: readonly string[];
  readonly vec_dot_tq2_0_q8_K: readonly { w: string; a: string; dot: string }[];
  readonly vec_dot_tq1_0_q8_K: readonly { w: string; a: string; dot: string }[];
  readonly vec_dot_f32: PerIsa<readonly DotCase[]>;
  readonly vec_dot_f16: PerIsa<readonly DotCase[]>;
  readonly vec_dot_bf16: PerIsa<readonly DotCase[]>;
  readonly tinyblas_f32: PerIsa<readonly TinyBlasCase[]>;
  /** AVX2: fp16 × fp16; AVX-512: fp16 × float32 (llamafile's F16 × F32 path). */
  readonly tinyblas_f16: PerIsa<readonly TinyBlasCase[]>;
  readonly v_expf: PerIsa<{ x: string; y: string }>;
  readonly swiglu: PerIsa<readonly { x: string; g: string; y: string }[]>;
  readonly soft_max: PerIsa<readonly { scale: string; x: string; mask: string; y: string }[]>;
  /** x, sinf(x), cosf(x) as three float32 hex words per entry. */
  readonly sincosf: readonly string[];
  /** The same for every x in [2^-12, 120) where fusing glibc's multiply-adds changes sinf or cosf. */
  readonly sincosf_fma_sensitive: readonly string[];
  /** AVX-512 build: cache + NORM rotation of one head (dims) at pos. */
  readonly rope: readonly { pos: number; dims: number; base: string; theta_scale: string; src: string; dst: string }[];
}

/** The fixtures, parsed once. */
export const FIXTURES: X86Fixtures = JSON.parse(
  readFileSync(new URL("fixtures/x86-kernels.json", import.meta.url), "utf8"),
) as X86Fixtures;

/** Bytes from lowercase hex. */
export function bytesFromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** float32 values from consecutive 8-digit hex words (bit patterns). */
export function f32sFromHex(hex: string): Float32Array {
  const bits = new Uint32Array(hex.length / 8);
  for (let i = 0; i < bits.length; i++) bits[i] = parseInt(hex.slice(8 * i, 8 * i + 8), 16);
  return new Float32Array(bits.buffer);
}

/** float64 values from consecutive 16-digit hex words (bit patterns). */
export function f64sFromHex(hex: string): Float64Array {
  const view = new DataView(new ArrayBuffer(hex.length / 2));
  for (let i = 0; i < hex.length / 16; i++)
    view.setBigUint64(8 * i, BigInt(`0x${hex.slice(16 * i, 16 * i + 16)}`), true);
  return new Float64Array(view.buffer);
}

/** float32 values of consecutive 4-digit fp16 (or bf16) hex words. */
export function halvesFromHex(hex: string, kind: "f16" | "bf16"): Float32Array {
  const out = new Float32Array(hex.length / 4);
  const toF32 = kind === "f16" ? f16BitsToF32 : bf16BitsToF32;
  for (let i = 0; i < out.length; i++) out[i] = toF32(parseInt(hex.slice(4 * i, 4 * i + 4), 16));
  return out;
}

/** Same float: equal bits up to NaN payloads (±0 distinguished). */
export function sameFloat(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/** Indices where two float arrays differ (sameFloat), for readable failures. */
export function differingIndices(ours: ArrayLike<number>, want: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < want.length; i++) if (!sameFloat(ours[i], want[i])) out.push(i);
  return out;
}
