/**
 * Causal attention in "f32" arithmetic over an f32 cache (reference/model/attention.ts attendQuery with
 * { arithmetic: "f32", cacheType: "f32" }, spec/forward.md §7), for query head h over kv head g = ⌊h / (nHeads /
 * nKvHeads)⌋ and positions t = 0..count−1:
 *   s_t  = f32( f32(Σ_i f64(q_i·k_t,i)) · scale ),  scale = f32(1/sqrt(headDim))    dot in float64, i ascending
 *   m    = max(−∞, s_0, …)                                                          as Math.max folds it
 *   p_t  = f32(exp(f64(s_t) − m)),  S = Σ_t f64(p_t),  p_t ← f32(p_t · f32(1/S))   exp: the host's Math.exp
 *   o_i  = f32( Σ_t f64(p_t · v_t,i) )                                              t ascending for every i
 * Every float32·float32 product is exact in float64, so f32.mul rounds it as Math.fround does. Only independent sums
 * run side by side: four keys' dots at once (each still i ascending), and eight outputs o_i at once in four f64x2
 * registers (each still t ascending). The maximum is the same in any order (f64.max, like Math.max, gives NaN for a
 * NaN and +0 over −0).
 */

import { exp } from "./js-math";

/** s_t for t < count of query head qh over kv head at `offset` of every position: stored as float32 at scores. */
function headScores(qh: usize, keys: usize, kvDim: i32, offset: i32, headDim: i32, count: i32, scores: usize): void {
  const scale = <f32>(1.0 / Math.sqrt(<f64>headDim));
  const stride = <usize>(4 * kvDim);
  let t = 0;
  for (; t + 4 <= count; t += 4) {
    const k0 = keys + <usize>(4 * (t * kvDim + offset));
    const k1 = k0 + stride;
    const k2 = k1 + stride;
    const k3 = k2 + stride;
    let d0: f64 = 0;
    let d1: f64 = 0;
    let d2: f64 = 0;
    let d3: f64 = 0;
    for (let i = 0; i < headDim; i++) {
      const at = (<usize>i) << 2;
      const qi = <f64>load<f32>(qh + at);
      d0 += qi * <f64>load<f32>(k0 + at);
      d1 += qi * <f64>load<f32>(k1 + at);
      d2 += qi * <f64>load<f32>(k2 + at);
      d3 += qi * <f64>load<f32>(k3 + at);
    }
    const s = scores + ((<usize>t) << 2);
    store<f32>(s, <f32>d0 * scale);
    store<f32>(s + 4, <f32>d1 * scale);
    store<f32>(s + 8, <f32>d2 * scale);
    store<f32>(s + 12, <f32>d3 * scale);
  }
  for (; t < count; t++) {
    const k = keys + <usize>(4 * (t * kvDim + offset));
    let dot: f64 = 0;
    for (let i = 0; i < headDim; i++) {
      const at = (<usize>i) << 2;
      dot += <f64>load<f32>(qh + at) * <f64>load<f32>(k + at);
    }
    store<f32>(scores + ((<usize>t) << 2), <f32>dot * scale);
  }
}

/** The softmax of scores[0..count) in place (the reference's softmax in "f32" arithmetic). */
function softmaxInPlace(scores: usize, count: i32): void {
  let max: f64 = -Infinity;
  for (let t = 0; t < count; t++) max = Math.max(max, <f64>load<f32>(scores + ((<usize>t) << 2)));
  let sum: f64 = 0;
  for (let t = 0; t < count; t++) {
    const at = scores + ((<usize>t) << 2);
    const p = <f32>exp(<f64>load<f32>(at) - max);
    store<f32>(at, p);
    sum += <f64>p;
  }
  const inverse = <f32>(1.0 / sum);
  for (let t = 0; t < count; t++) {
    const at = scores + ((<usize>t) << 2);
    store<f32>(at, load<f32>(at) * inverse);
  }
}

/** The products p_t · v_t,i for i = i0, i0 + 1 (a float32 pair at v) added to acc, as float64. */
function addPair(acc: v128, pp: v128, v: usize): v128 {
  return f64x2.add(acc, f64x2.mul(pp, f64x2.promote_low_f32x4(v128.load64_zero(v))));
}

/** Store the two float64 lanes of acc, rounded to float32, at o and o + 4. */
function storePair(o: usize, acc: v128): void {
  store<f32>(o, <f32>f64x2.extract_lane(acc, 0));
  store<f32>(o + 4, <f32>f64x2.extract_lane(acc, 1));
}

/** o_i for i < headDim at o: the probabilities at p over the values of the kv head at `offset`. */
function headOutput(p: usize, values: usize, kvDim: i32, offset: i32, headDim: i32, count: i32, o: usize): void {
  const stride = <usize>(4 * kvDim);
  let i = 0;
  for (; i + 8 <= headDim; i += 8) {
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    let v = values + <usize>(4 * (offset + i));
    for (let t = 0; t < count; t++) {
      const pp = f64x2.splat(<f64>load<f32>(p + ((<usize>t) << 2)));
      a0 = addPair(a0, pp, v);
      a1 = addPair(a1, pp, v + 8);
      a2 = addPair(a2, pp, v + 16);
      a3 = addPair(a3, pp, v + 24);
      v += stride;
    }
    const out = o + ((<usize>i) << 2);
    storePair(out, a0);
    storePair(out + 8, a1);
    storePair(out + 16, a2);
    storePair(out + 24, a3);
  }
  for (; i < headDim; i++) {
    let acc: f64 = 0;
    let v = values + <usize>(4 * (offset + i));
    for (let t = 0; t < count; t++) {
      acc += <f64>load<f32>(p + ((<usize>t) << 2)) * <f64>load<f32>(v);
      v += stride;
    }
    store<f32>(o + ((<usize>i) << 2), <f32>acc);
  }
}

/**
 * out[b·nHeads·headDim + h·headDim + i] = o_i of head h for query row b (position positions[b], sees count =
 * positions[b] + 1 cached positions), b < batch. q [batch · nHeads·headDim], keys and values [T · nKvHeads·headDim]
 * float32; positions: i32[batch]; scores: scratch of ≥ 4·T bytes.
 */
export function attentionRows(
  q: usize,
  keys: usize,
  values: usize,
  positions: usize,
  batch: i32,
  nHeads: i32,
  nKvHeads: i32,
  headDim: i32,
  out: usize,
  scores: usize,
): void {
  const kvDim = nKvHeads * headDim;
  const qDim = nHeads * headDim;
  const headsPerKv = nHeads / nKvHeads;
  for (let b = 0; b < batch; b++) {
    const count = load<i32>(positions + ((<usize>b) << 2)) + 1;
    for (let h = 0; h < nHeads; h++) {
      const at = <usize>(4 * (b * qDim + h * headDim));
      const offset = (h / headsPerKv) * headDim;
      headScores(q + at, keys, kvDim, offset, headDim, count, scores);
      softmaxInPlace(scores, count);
      headOutput(scores, values, kvDim, offset, headDim, count, out + at);
    }
  }
}
