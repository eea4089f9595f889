/**
 * The f32 and int8-per-token modes' dots (spec/performance.md §2.2): W's row (TQ2_0, TQ1_0 or F16, every weight
 * exact in float32) · float32 values x, summed in an order of the engine's own within spec/tolerances.md §2:
 *   per 256 elements: float32 products w·x (the reference's products, rounded once), summed in four float32 lanes
 *   — 16 elements at a time as ((p0 + p1) + (p2 + p3)) added to the lanes — then the four lanes added in float64;
 *   over the chunks: a float64 sum.
 * A product's path has at most 19 float32 roundings (its own, two in its group of four, sixteen in the lane), so the
 * error is ≤ γ_19 · S plus the float64 sum's, far inside §2's γ_C · S (C ≥ 256; shorter rows have shorter paths).
 * int8-per-token ternary rows: the integer block sums S_b = Σ t·q (exact), then Σ_b d_b·S_b in float64 (each
 * product exact: 11 + 16 bits).
 */

import { load4 } from "./float16-dot";
import { f16ToF32 } from "./float16";
import { addTq1Block, scaledQh, times3, tq1BlockTotal, tritsOfScaled, TQ1_0_BLOCK_BYTES, TQ1_0_SCALE } from "./tq1-dot";
import { TQ2_0_BLOCK_BYTES } from "./ternary-dot";

/** Offset of the fp16 scale in a TQ2_0 block. */
const TQ2_0_SCALE: i32 = 64;

/**
 * 16 codes (0..3) of the TQ2_0 block at `block`, elements 16g .. 16g + 15: byte 32h + m, bits 2s (formats.md §4.2).
 * The shift is an int16 one (one x86 instruction; V8 emulates int8 shifts), the mask drops the next byte's bits.
 */
function tq2Codes(block: usize, g: i32): v128 {
  const bytes = v128.load(block + <usize>(32 * (g >> 3) + 16 * (g & 1))); // h = g >> 3, m from 16·(g mod 2)
  return v128.and(i16x8.shr_u(bytes, <i32>(2 * ((g >> 1) & 3))), i8x16.splat(3)); // s = (g >> 1) mod 4
}

/** The four lanes of float32x4 `v` added in float64. */
function lanesF64(v: v128): f64 {
  return (
    <f64>f32x4.extract_lane(v, 0) +
    <f64>f32x4.extract_lane(v, 1) +
    (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3))
  );
}

/** ((w0·x0 + w1·x1) + (w2·x2 + w3·x3)) lane-wise for four float32x4 weights and the 16 floats at `x`. */
function sum16(w0: v128, w1: v128, w2: v128, w3: v128, x: usize): v128 {
  const a = f32x4.add(f32x4.mul(w0, v128.load(x)), f32x4.mul(w1, v128.load(x, 16)));
  const b = f32x4.add(f32x4.mul(w2, v128.load(x, 32)), f32x4.mul(w3, v128.load(x, 48)));
  return f32x4.add(a, b);
}

/** Lane-wise float32 sum16 of 16 ternary weights (trits t = code − 1 in i8 lanes, times `d` splat: exact) and x. */
function ternarySum16(trits: v128, d: v128, x: usize): v128 {
  const low = i16x8.extend_low_i8x16_s(trits);
  const high = i16x8.extend_high_i8x16_s(trits);
  const w0 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(low)), d);
  const w1 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(low)), d);
  const w2 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(high)), d);
  const w3 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(high)), d);
  return sum16(w0, w1, w2, w3, x);
}

/** TQ2_0 row (`blocks` blocks at `weights`) · float32 x (at `x`): the float64 sum of the file comment. */
export function dotTq2_0F32(weights: usize, x: usize, blocks: i32): f64 {
  let sum: f64 = 0;
  const one = i8x16.splat(1);
  for (let i = 0; i < blocks; i++) {
    const w = weights + <usize>(i * TQ2_0_BLOCK_BYTES);
    const d = f32x4.splat(f16ToF32(<u32>load<u16>(w, TQ2_0_SCALE)));
    const xs = x + <usize>(1024 * i);
    let lanes = f32x4.splat(0);
    for (let g = 0; g < 16; g++) lanes = f32x4.add(lanes, ternarySum16(i8x16.sub(tq2Codes(w, g), one), d, xs + 64 * g));
    sum += lanesF64(lanes);
  }
  return sum;
}

/**
 * TQ1_0 row · float32 x: the float64 sum of the file comment, the trits read in tq1-dot.ts's order (elements 32n + m
 * from qs[0..32), 160 + 16n + j from qs[32..48), then 240..255 from qh), 16 at a time in element order.
 */
export function dotTq1_0F32(weights: usize, x: usize, blocks: i32): f64 {
  let sum: f64 = 0;
  const one = i8x16.splat(1);
  for (let i = 0; i < blocks; i++) {
    const w = weights + <usize>(i * TQ1_0_BLOCK_BYTES);
    const d = f32x4.splat(f16ToF32(<u32>load<u16>(w, TQ1_0_SCALE)));
    const xs = x + <usize>(1024 * i);
    let lanes = f32x4.splat(0);
    let low = v128.load(w); // qs[0..16): elements 32n + m
    let high = v128.load(w, 16); // qs[16..32): elements 32n + 16 + m
    for (let n = 0; n < 5; n++) {
      lanes = f32x4.add(lanes, ternarySum16(i8x16.sub(tritsOfScaled(low), one), d, xs + <usize>(128 * n)));
      lanes = f32x4.add(lanes, ternarySum16(i8x16.sub(tritsOfScaled(high), one), d, xs + <usize>(128 * n + 64)));
      low = times3(low);
      high = times3(high);
    }
    let middle = v128.load(w, 32); // qs[32..48): elements 160 + 16n + j
    for (let n = 0; n < 5; n++) {
      lanes = f32x4.add(lanes, ternarySum16(i8x16.sub(tritsOfScaled(middle), one), d, xs + <usize>(640 + 64 * n)));
      middle = times3(middle);
    }
    lanes = f32x4.add(lanes, ternarySum16(i8x16.sub(tritsOfScaled(scaledQh(w)), one), d, xs + 960)); // 240..255
    sum += lanesF64(lanes);
  }
  return sum;
}

/** F16 row (n fp16 at `weights`) · float32 x: chunks of 256 as in the file comment; the n mod 16 last in float64. */
export function dotF16F32(weights: usize, x: usize, n: i32): f64 {
  let sum: f64 = 0;
  let lanes = f32x4.splat(0);
  const whole = n - (n % 16);
  for (let i = 0; i < whole; i += 16) {
    const w = weights + <usize>(2 * i);
    lanes = f32x4.add(lanes, sum16(load4(w), load4(w + 8), load4(w + 16), load4(w + 24), x + <usize>(4 * i)));
    if ((i & 255) == 240) {
      sum += lanesF64(lanes);
      lanes = f32x4.splat(0);
    }
  }
  sum += lanesF64(lanes);
  for (let i = whole; i < n; i++)
    sum += <f64>(f16ToF32(<u32>load<u16>(weights + <usize>(2 * i))) * load<f32>(x + <usize>(4 * i)));
  return sum;
}

/** TQ2_0 row · int8 codes (at `q`, 256 a block): Σ_b d_b · Σ_e t_e·q_e, the integer sums exact, the outer in float64. */
export function dotTq2_0Int8(weights: usize, q: usize, blocks: i32): f64 {
  let sum: f64 = 0;
  const one = i8x16.splat(1);
  for (let i = 0; i < blocks; i++) {
    const w = weights + <usize>(i * TQ2_0_BLOCK_BYTES);
    const qs = q + <usize>(256 * i);
    let lanes = i16x8.splat(0); // 32 products a lane, |t·q| ≤ 128: no overflow
    for (let g = 0; g < 16; g++) {
      const trits = i8x16.sub(tq2Codes(w, g), one);
      const values = v128.load(qs + <usize>(16 * g));
      lanes = i16x8.add(lanes, i16x8.extmul_low_i8x16_s(trits, values));
      lanes = i16x8.add(lanes, i16x8.extmul_high_i8x16_s(trits, values));
    }
    const pairs = i32x4.extadd_pairwise_i16x8_s(lanes);
    const total =
      i32x4.extract_lane(pairs, 0) +
      i32x4.extract_lane(pairs, 1) +
      i32x4.extract_lane(pairs, 2) +
      i32x4.extract_lane(pairs, 3);
    sum += <f64>total * <f64>f16ToF32(<u32>load<u16>(w, TQ2_0_SCALE));
  }
  return sum;
}

/** TQ1_0 row · int8 codes: as dotTq2_0Int8. */
export function dotTq1_0Int8(weights: usize, q: usize, blocks: i32): f64 {
  let sum: f64 = 0;
  const one = i8x16.splat(1);
  for (let i = 0; i < blocks; i++) {
    const w = weights + <usize>(i * TQ1_0_BLOCK_BYTES);
    addTq1Block(w, q + <usize>(256 * i), one);
    sum += <f64>tq1BlockTotal() * <f64>f16ToF32(<u32>load<u16>(w, TQ1_0_SCALE));
  }
  return sum;
}
