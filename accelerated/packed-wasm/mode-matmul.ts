/**
 * The packed-wasm engine's matmul in the f32 and int8-per-token modes (spec/performance.md §2.2): the host converts
 * each activation row by reference/model/activation-conversion.ts (f32: x as given; int8-per-token: codes q and σ),
 * the engine sums W·x (or W·q, then / σ) over the packed bytes in its own order, within spec/tolerances.md §2, and
 * bit for bit the reference's y = f32(Σ / σ) for ternary W in int8-per-token mode while every partial sum of the
 * reference's float64 sum is exact (§2.2 says when).
 */

import { GgmlType } from "../../reference/codec/index.js";
import { convertActivations } from "../../reference/model/activation-conversion.js";
import type { PackedWasmEngine } from "./engine.js";

/** What the row kernels need of a matrix in engine memory. */
export interface EngineMatrixView {
  readonly rows: number;
  readonly cols: number;
  readonly rowBytes: number;
  /** Address of row 0 in engine memory. */
  readonly address: number;
  readonly type: GgmlType;
}

/** The f32-mode dot of each weight type the engine holds: matmulFloatMode's `dot` (assembly/mode-matmuls.ts FloatDot). */
const F32_DOTS: ReadonlyMap<GgmlType, number> = new Map([
  [GgmlType.TQ2_0, 0],
  [GgmlType.TQ1_0, 1],
  [GgmlType.F16, 2],
]);

/** The int8-per-token dot of each ternary type (F16 takes the codes as float32 through its f32 dot). */
const INT8_DOTS: ReadonlyMap<GgmlType, number> = new Map([
  [GgmlType.TQ2_0, 3],
  [GgmlType.TQ1_0, 4],
]);

/**
 * y = W·x for x [B·C] → y [B·R] in `mode` ("f32" or "int8-per-token") on the engine, or undefined where it has no
 * kernel for W's type. Spec/performance.md §2.2; spec/forward.md §3.1, §3.3.
 */
export function floatModeMatmul(
  engine: PackedWasmEngine,
  m: EngineMatrixView,
  x: Float32Array,
  batch: number,
  mode: "f32" | "int8-per-token",
): Float32Array | undefined {
  const { rows, cols, type } = m;
  const { heap, runner } = engine;
  const int8Dot = mode === "int8-per-token" ? INT8_DOTS.get(type) : undefined;
  const dot = int8Dot ?? F32_DOTS.get(type);
  if (dot === undefined) return undefined;
  const activationBytes = int8Dot === undefined ? 4 * cols : cols; // float32 values, or int8 codes
  const input = heap.scratchRegion("in", activationBytes * batch);
  const out = heap.scratchRegion("out", 4 * batch * rows);
  let scales = 0; // f32 mode: y = f32(Σ)
  if (mode === "f32") heap.floats(input, cols * batch).set(x);
  else {
    scales = heap.scratchRegion("scales", 4 * batch);
    const sigmas = heap.floats(scales, batch);
    const bytes = heap.bytes(input, activationBytes * batch);
    const codes = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
    const values = heap.floats(input, cols * (int8Dot === undefined ? batch : 0));
    for (let b = 0; b < batch; b++) {
      const converted = convertActivations(mode, type, x.subarray(b * cols, (b + 1) * cols));
      if (converted.kind !== "int8-per-token") throw new Error("packed-wasm: int8-per-token mode takes int8 codes");
      (int8Dot === undefined ? values : codes).set(converted.codes, b * cols);
      sigmas[b] = converted.inputScale;
    }
  }
  runner.run("matmulFloatMode", rows, [dot, m.address, m.rowBytes, rows, input, activationBytes, batch, out, scales]);
  return heap.floats(out, batch * rows).slice();
}
