/**
 * A Backend that runs every op on a candidate AND on the reference with the same inputs, checks the
 * candidate under its spec/tolerances.md bound, and passes the candidate's result on (the "shadow
 * check" of spec/tolerances.md §9.1): a whole forward pass through it checks every op along the
 * candidate's own trajectory. Pure TypeScript.
 */

import type { Backend, PreparedMatrix } from "../../src/backend/backend.js";
import type { PackedMatrix } from "../../reference/model/packed-matrix.js";
import { ropeAngles } from "../../reference/model/rope.js";
import {
  attentionBounds,
  checkTolerance,
  embeddingBounds,
  matmulBounds,
  rmsNormBounds,
  ropeBounds,
  swigluBounds,
  type Accuracy,
  type ToleranceReport,
} from "../../reference/tolerances/index.js";

/** A prepared matrix of both backends. */
class ShadowMatrix implements PreparedMatrix {
  readonly rows: number;
  readonly cols: number;
  constructor(
    readonly matrix: PackedMatrix,
    readonly candidate: PreparedMatrix,
    readonly reference: PreparedMatrix,
  ) {
    this.rows = matrix.rows;
    this.cols = matrix.cols;
  }
  dispose(): void {
    this.candidate.dispose();
    this.reference.dispose();
  }
}

/** What the shadow saw. */
export interface ShadowLog {
  /** Ops checked, by name. */
  readonly calls: Map<string, number>;
  /** Worst |Δ|/bound per op. */
  readonly worstRatio: Map<string, number>;
  /** The first violations, one line each. */
  readonly violations: string[];
}

/** The shadow backend and its log. Only `dispose` of the shadow leaves both inner backends alive. */
export function shadowBackend(
  candidate: Backend,
  reference: Backend,
  accuracy: Accuracy,
): { backend: Backend; log: ShadowLog } {
  const log: ShadowLog = { calls: new Map(), worstRatio: new Map(), violations: [] };
  const record = (op: string, report: ToleranceReport): void => {
    log.calls.set(op, (log.calls.get(op) ?? 0) + 1);
    const w = report.worst;
    const ratio = w === undefined ? 0 : w.difference === 0 ? 0 : w.bound > 0 ? w.difference / w.bound : Infinity;
    log.worstRatio.set(op, Math.max(log.worstRatio.get(op) ?? 0, Number.isNaN(ratio) ? Infinity : ratio));
    if (!report.ok && log.violations.length < 10) log.violations.push(`${op}: ${report.summary}`);
  };
  const backend: Backend = {
    name: `shadow(${candidate.name})`,
    describe: () => `${candidate.describe()} checked against ${reference.describe()}`,
    prepareMatrix: (m) => new ShadowMatrix(m, candidate.prepareMatrix(m), reference.prepareMatrix(m)),
    matmul(weight, x, batch, mode) {
      if (!(weight instanceof ShadowMatrix)) throw new TypeError("shadow: foreign matrix");
      const c = candidate.matmul(weight.candidate, x, batch, mode);
      const r = reference.matmul(weight.reference, x, batch, mode);
      record(`matmul ${mode}`, checkTolerance(c, r, matmulBounds(weight.matrix, x, batch, mode, r)));
      return c;
    },
    rmsNorm(x, weight, eps, batch) {
      const c = candidate.rmsNorm(x, weight, eps, batch);
      const r = reference.rmsNorm(x, weight, eps, batch);
      record("rmsNorm", checkTolerance(c, r, rmsNormBounds(weight, eps, batch, r, accuracy)));
      return c;
    },
    rope(x, headDim, ropeDim, theta, style, positions) {
      const input = x.slice();
      const r = x.slice();
      candidate.rope(x, headDim, ropeDim, theta, style, positions);
      reference.rope(r, headDim, ropeDim, theta, style, positions);
      const { cos, sin } = anglesOf(positions, ropeDim, theta);
      record(
        "rope",
        checkTolerance(x, r, ropeBounds(input, headDim, ropeDim, style, cos, sin, positions.length, accuracy)),
      );
    },
    swiglu(gate, up) {
      const c = candidate.swiglu(gate, up);
      const r = reference.swiglu(gate, up);
      record("swiglu", checkTolerance(c, r, swigluBounds(gate, up, r, accuracy)));
      return c;
    },
    attention(q, keys, values, positions, shape) {
      const c = candidate.attention(q, keys, values, positions, shape);
      const r = reference.attention(q, keys, values, positions, shape);
      record("attention", checkTolerance(c, r, attentionBounds(q, keys, values, positions, shape, r, accuracy)));
      return c;
    },
    embedding(table, tokens) {
      const c = candidate.embedding(table, tokens);
      const r = reference.embedding(table, tokens);
      record("embedding", checkTolerance(c, r, embeddingBounds(c.length)));
      return c;
    },
    dispose() {},
  };
  return { backend, log };
}

/** The reference's cos/sin for each position, concatenated: B·ropeDim/2 each. */
export function anglesOf(
  positions: readonly number[],
  ropeDim: number,
  theta: number,
): { cos: Float32Array; sin: Float32Array } {
  const pairs = ropeDim / 2;
  const cos = new Float32Array(positions.length * pairs);
  const sin = new Float32Array(positions.length * pairs);
  positions.forEach((pos, b) => {
    const a = ropeAngles(pos, ropeDim, theta, "f32");
    cos.set(a.cos, b * pairs);
    sin.set(a.sin, b * pairs);
  });
  return { cos, sin };
}
