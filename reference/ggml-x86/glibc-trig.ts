/**
 * glibc's sinf and cosf (sysdeps/ieee754/flt-32/s_sinf.c, s_cosf.c, s_sincosf.h, sincosf_poly.h,
 * s_sincosf_data.c; from ARM's optimized-routines, glibc ≥ 2.28) in the x86-64 `__sinf_fma` /
 * `__cosf_fma` variants that glibc selects on a CPU with FMA (compiled with -mfma, so GCC fuses each
 * `a + b*c` of the double-precision evaluation into one fma). ggml builds its RoPE cos/sin cache
 * with these (ggml_rope_cache_init → rope_yarn → cosf/sinf); they are within 0.56 ulp but not
 * always correctly rounded, so Math.cos would differ in the last bit for about 2% of angles.
 * Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 *
 *   |y| < π/4:    polynomial in x = y (sin: x + x³·S1 + x⁵·(S2 + x²·S3) …, cos: C0 + x²·C1 + …)
 *   |y| < 120:    n = round(y·2/π) (via the 2^24-scaled float-to-int trick), x = y − n·π/2 (one fma)
 *   otherwise:    exact reduction with a 192-bit 4/π table (integer arithmetic, reduce_large)
 *   then the quadrant picks sin or cos polynomial and sign; the double result is rounded to float.
 * Of the fused operations only the reduction's x − n·π/2 is observable: an exhaustive search over
 * every float in [2^-12, 120) finds 17 inputs where it changes sinf or cosf (glibc agrees with the
 * fused form on all), and none where fusing any single polynomial step does.
 */

import { f32ToBits } from "../codec/float-bits.js";
import { fmaF64 } from "./fma64.js";

/** One entry of __sincosf_table. */
interface SinCosTable {
  readonly sign: readonly number[];
  readonly hpiInv: number;
  readonly hpi: number;
  readonly c0: number;
  readonly c1: number;
  readonly c2: number;
  readonly c3: number;
  readonly c4: number;
  readonly s1: number;
  readonly s2: number;
  readonly s3: number;
}

/** Hex float literal helper: significand hex digits after "1." and a binary exponent. */
function hexDouble(negative: boolean, fraction: string, exponent: number): number {
  const value = (1 + parseInt(fraction, 16) / 16 ** fraction.length) * 2 ** exponent;
  return negative ? -value : value;
}

const SIGN: readonly number[] = [1.0, -1.0, -1.0, 1.0];
const HPI_INV = hexDouble(false, "45F306DC9C883", 23); // 2/π · 2^24 (TOINT_INTRINSICS = 0 on x86-64)
const HPI = hexDouble(false, "921FB54442D18", 0); // π/2
const C1 = hexDouble(true, "ffffffd0c621c", -2);
const C2 = hexDouble(false, "55553e1068f19", -5);
const C3 = hexDouble(true, "6c087e89a359d", -10);
const C4 = hexDouble(false, "99343027bf8c3", -16);
const S1 = hexDouble(true, "555545995a603", -3);
const S2 = hexDouble(false, "1107605230bc4", -7);
const S3 = hexDouble(true, "994eb3774cf24", -13);

/** __sincosf_table: entry 1 computes −cos to get the negation for free. */
const TABLE: readonly [SinCosTable, SinCosTable] = [
  { sign: SIGN, hpiInv: HPI_INV, hpi: HPI, c0: 1, c1: C1, c2: C2, c3: C3, c4: C4, s1: S1, s2: S2, s3: S3 },
  { sign: SIGN, hpiInv: HPI_INV, hpi: HPI, c0: -1, c1: -C1, c2: -C2, c3: -C3, c4: -C4, s1: S1, s2: S2, s3: S3 },
];

/** 2π · 2^−64 and π/4 as doubles. */
const PI63 = hexDouble(false, "921FB54442D18", -62);
const PIO4_F32 = Math.fround(hexDouble(false, "921FB54442D18", -1)); // abstop12 takes a float

/** __inv_pio4: 4/π to 192 bits, 8 new bits per entry. */
const INV_PIO4: readonly number[] = [
  0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e, 0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529, 0x441529fc, 0x1529fc27,
  0x29fc2757, 0xfc2757d1, 0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0, 0x34ddc0db, 0xddc0db62, 0xc0db6295,
  0xdb629599, 0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
];

/** Top 12 bits of the float representation with the sign bit cleared. */
function abstop12(x: number): number {
  return (f32ToBits(x) >>> 20) & 0x7ff;
}

/** sinf_poly: sine (n even) or cosine (n odd) polynomial of x (x2 = x·x), rounded to float. */
function sinfPoly(x: number, x2: number, p: SinCosTable, n: number): number {
  if ((n & 1) === 0) {
    const x3 = x * x2;
    const s1 = fmaF64(x2, p.s3, p.s2); // p->s2 + x2 * p->s3
    const x7 = x3 * x2;
    const s = fmaF64(x3, p.s1, x); // x + x3 * p->s1
    return Math.fround(fmaF64(x7, s1, s)); // s + x7 * s1
  }
  const x4 = x2 * x2;
  const c2 = fmaF64(x2, p.c4, p.c3); // p->c3 + x2 * p->c4
  const c1 = fmaF64(x2, p.c1, p.c0); // p->c0 + x2 * p->c1
  const x6 = x4 * x2;
  const c = fmaF64(x4, p.c2, c1); // c1 + x4 * p->c2
  return Math.fround(fmaF64(x6, c2, c)); // c + x6 * c2
}

/** reduce_fast (|x| < 120): x − n·π/2 with n from the 2^24-scaled product, and the quadrant n. */
function reduceFast(x: number, p: SinCosTable): { r: number; n: number } {
  const r = x * p.hpiInv;
  const n = ((Math.trunc(r) | 0) + 0x800000) >> 24; // ((int32_t)r + 0x800000) >> 24
  return { r: fmaF64(-n, p.hpi, x), n }; // x - n * p->hpi
}

/** reduce_large (|x| ≥ 120, finite): exact 2.62 fixed-point modulo via a 32×96-bit product. */
function reduceLarge(xi: number): { r: number; n: number } {
  const base = (xi >>> 26) & 15;
  const shift = BigInt((xi >>> 23) & 7);
  const mask64 = (1n << 64n) - 1n;
  const m = (BigInt((xi & 0xffffff) | 0x800000) << shift) & 0xffffffffn; // uint32_t xi <<= shift
  let res0 = (m * BigInt(INV_PIO4[base])) & 0xffffffffn; // 32-bit product
  const res1 = m * BigInt(INV_PIO4[base + 4]);
  const res2 = m * BigInt(INV_PIO4[base + 8]);
  res0 = ((res2 >> 32n) | (res0 << 32n)) & mask64;
  res0 = (res0 + res1) & mask64;
  const n = ((res0 + (1n << 61n)) & mask64) >> 62n;
  res0 = (res0 - (n << 62n)) & mask64;
  const signed = BigInt.asIntN(64, res0);
  return { r: Number(signed) * PI63, n: Number(n) };
}

/** glibc sinf (x86-64 FMA variant): float32 y → float32. Spec §9. */
export function glibcSinf(y: number): number {
  y = Math.fround(y);
  const top = abstop12(y);
  let p = TABLE[0];
  if (top < abstop12(PIO4_F32)) {
    if (top < abstop12(2 ** -12)) return y;
    return sinfPoly(y, y * y, p, 0);
  }
  let reduced: { r: number; n: number };
  let quadrant: number;
  if (top < abstop12(120)) {
    reduced = reduceFast(y, p);
    quadrant = reduced.n;
  } else if (top < abstop12(Infinity)) {
    const xi = f32ToBits(y);
    reduced = reduceLarge(xi);
    quadrant = reduced.n + (xi >>> 31);
  } else {
    return NaN; // __math_invalidf
  }
  const s = p.sign[quadrant & 3];
  if (quadrant & 2) p = TABLE[1];
  const x = reduced.r;
  return sinfPoly(x * s, x * x, p, reduced.n);
}

/** glibc cosf (x86-64 FMA variant): float32 y → float32. Spec §9. */
export function glibcCosf(y: number): number {
  y = Math.fround(y);
  const top = abstop12(y);
  let p = TABLE[0];
  if (top < abstop12(PIO4_F32)) {
    if (top < abstop12(2 ** -12)) return 1;
    return sinfPoly(y, y * y, p, 1);
  }
  let reduced: { r: number; n: number };
  let quadrant: number;
  if (top < abstop12(120)) {
    reduced = reduceFast(y, p);
    quadrant = reduced.n;
  } else if (top < abstop12(Infinity)) {
    const xi = f32ToBits(y);
    reduced = reduceLarge(xi);
    quadrant = reduced.n + (xi >>> 31);
  } else {
    return NaN;
  }
  const s = p.sign[quadrant & 3];
  if (quadrant & 2) p = TABLE[1];
  const x = reduced.r;
  return sinfPoly(x * s, x * x, p, reduced.n ^ 1);
}
