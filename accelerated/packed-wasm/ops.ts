/**
 * The packed-wasm backend's ops other than matmul (spec/performance.md §7): rmsNorm, rope, swiglu and attention run
 * in the engine's kernels (assembly/norm.ts, rope.ts, swiglu.ts, attention.ts) on copies of their inputs in heap
 * scratch regions; the embedding and RoPE's angle tables are computed on the host. Each gives the reference
 * backend's bits (src/backend/reference-backend.ts): the kernels repeat the reference's operations in its order, and
 * exp, cos and sin are V8's own Math functions (imported into the module, or computed on the host).
 */

import type { AttentionShape } from "../backend.js";
import { attentionKeyCount } from "../backend.js";
import type { RopeStyle } from "../../reference/model/config.js";
import { decodeMatrixRowInto, type PackedMatrix } from "../../reference/model/packed-matrix.js";
import { ropeAngles } from "../../reference/model/rope.js";
import type { PackedWasmEngine } from "./engine.js";

/** The kernels of build/engine.wasm these ops call (not row kernels: they run on the calling thread). */
interface OpKernels {
  rmsNormRows(x: number, weight: number, n: number, eps: number, batch: number, out: number): void;
  ropeRows(
    x: number,
    rowLength: number,
    batch: number,
    headDim: number,
    pairs: number,
    adjacent: number,
    angles: number,
  ): void;
  swigluRows(gate: number, up: number, n: number, out: number): void;
  attentionRows(
    q: number,
    keys: number,
    values: number,
    positions: number,
    batch: number,
    nHeads: number,
    nKvHeads: number,
    headDim: number,
    out: number,
    scores: number,
  ): void;
}

/** `values` copied into scratch slot `slot` of the engine's heap; returns its address. */
function copyIn(engine: PackedWasmEngine, slot: string, values: Float32Array): number {
  const address = engine.heap.scratchRegion(slot, 4 * values.length);
  engine.heap.floats(address, values.length).set(values);
  return address;
}

/** A copy of `length` floats at `address` of the engine's heap. */
function copyOut(engine: PackedWasmEngine, address: number, length: number): Float32Array {
  return engine.heap.floats(address, length).slice();
}

/** The engine's op kernels. */
function kernels(engine: PackedWasmEngine): OpKernels {
  return engine.exports as unknown as OpKernels;
}

/** y = rmsnorm(x_b) ⊙ weight per row, as reference/model/rmsnorm.ts: x [B·n], weight [n] → [B·n]. Spec §7. */
export function engineRmsNorm(
  engine: PackedWasmEngine,
  x: Float32Array,
  weight: Float32Array,
  eps: number,
  batch: number,
): Float32Array {
  const n = weight.length;
  if (!Number.isInteger(batch) || batch < 0 || x.length !== batch * n)
    throw new RangeError(`packed-wasm rmsNorm: expected ${batch} rows of ${n} values, got ${x.length} values`);
  const xAddress = copyIn(engine, "op-x", x);
  const wAddress = copyIn(engine, "op-weight", weight);
  const out = engine.heap.scratchRegion("op-out", 4 * x.length);
  kernels(engine).rmsNormRows(xAddress, wAddress, n, eps, batch, out);
  return copyOut(engine, out, x.length);
}

/**
 * Rotate each row of x in place (row b at positions[b]), as the reference's ropeAngles(pos, ropeDim, theta, "f32") +
 * applyRope(…, "f32"): the angle tables on the host, the rotation in the engine. Spec §7.
 */
export function engineRope(
  engine: PackedWasmEngine,
  x: Float32Array,
  headDim: number,
  ropeDim: number,
  theta: number,
  style: RopeStyle,
  positions: readonly number[],
): void {
  const batch = positions.length;
  const n = x.length / Math.max(batch, 1);
  if (!Number.isInteger(n) || !Number.isInteger(headDim) || headDim <= 0 || n % headDim !== 0)
    throw new RangeError(`packed-wasm rope: ${x.length} values are not ${batch} rows of whole heads of ${headDim}`);
  if (!Number.isInteger(ropeDim) || ropeDim < 0 || ropeDim % 2 !== 0 || ropeDim > headDim)
    throw new RangeError(`packed-wasm rope: ropeDim ${ropeDim} must be even and at most headDim ${headDim}`);
  const pairs = ropeDim / 2;
  const anglesAddress = engine.heap.scratchRegion("op-angles", 8 * pairs * batch);
  const tables = engine.heap.floats(anglesAddress, 2 * pairs * batch);
  positions.forEach((pos, b) => {
    const { cos, sin } = ropeAngles(pos, ropeDim, theta, "f32");
    tables.set(cos, 2 * pairs * b);
    tables.set(sin, 2 * pairs * b + pairs);
  });
  const xAddress = copyIn(engine, "op-x", x);
  kernels(engine).ropeRows(xAddress, n, batch, headDim, pairs, style === "adjacent" ? 1 : 0, anglesAddress);
  x.set(engine.heap.floats(xAddress, x.length));
}

/** h = silu(gate) ⊙ up, as reference/model/swiglu.ts in "f32" arithmetic: [n], [n] → [n]. Spec §7. */
export function engineSwiglu(engine: PackedWasmEngine, gate: Float32Array, up: Float32Array): Float32Array {
  if (gate.length !== up.length) throw new RangeError("packed-wasm swiglu: gate and up differ in length");
  const gateAddress = copyIn(engine, "op-x", gate);
  const upAddress = copyIn(engine, "op-weight", up);
  const out = engine.heap.scratchRegion("op-out", 4 * gate.length);
  kernels(engine).swigluRows(gateAddress, upAddress, gate.length, out);
  return copyOut(engine, out, gate.length);
}

/**
 * Causal attention of B query rows over the cached keys/values, as the reference's attendQuery(…, { arithmetic: "f32",
 * cacheType: "f32" }) per row: → [B · nHeads·headDim]. Keys and values already in engine memory (views made by the
 * heap) are read where they are; others are copied in, all T positions, on every call. Spec §7.
 */
export function engineAttention(
  engine: PackedWasmEngine,
  q: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  positions: readonly number[],
  shape: AttentionShape,
): Float32Array {
  const count = attentionKeyCount("packed-wasm", q, keys, values, positions, shape);
  const { nHeads, nKvHeads, headDim } = shape;
  if (!Number.isInteger(nHeads / nKvHeads) || nKvHeads <= 0)
    throw new RangeError(`packed-wasm attention: ${nHeads} query heads are not a multiple of ${nKvHeads} kv heads`);
  const { heap } = engine;
  const qAddress = copyIn(engine, "op-x", q);
  const keysAddress = heap.addressOf(keys) ?? copyIn(engine, "op-keys", keys);
  const valuesAddress = heap.addressOf(values) ?? copyIn(engine, "op-values", values);
  const positionsAddress = heap.scratchRegion("op-positions", 4 * positions.length);
  new Int32Array(heap.memory.buffer, positionsAddress, positions.length).set(positions);
  const out = heap.scratchRegion("op-out", 4 * q.length);
  const scores = heap.scratchRegion("op-scores", 4 * count);
  kernels(engine).attentionRows(
    qAddress,
    keysAddress,
    valuesAddress,
    positionsAddress,
    positions.length,
    nHeads,
    nKvHeads,
    headDim,
    out,
    scores,
  );
  return copyOut(engine, out, q.length);
}

/**
 * Rows of the embedding for each token, decoded on the host straight into the output (decodeMatrixRowInto: the
 * exact decoders, F16 and TQ2_0 in place): one row of `dim` values per token, nothing to gain in the engine. Spec §7.
 */
export function hostEmbedding(table: PackedMatrix, tokens: readonly number[]): Float32Array {
  const y = new Float32Array(tokens.length * table.cols);
  tokens.forEach((token, b) => {
    if (!Number.isInteger(token) || token < 0 || token >= table.rows)
      throw new RangeError(`packed-wasm embedding: token ${token} outside 0..${table.rows - 1}`);
    decodeMatrixRowInto(table, token, y.subarray(b * table.cols, (b + 1) * table.cols));
  });
  return y;
}
