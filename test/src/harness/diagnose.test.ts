/**
 * Failures diagnosed by cause (src/harness/diagnose.ts, spec/kernel-protocol.md §9): for every
 * hypothesis of the catalogue, a small mutant kernel written here with exactly that bug is judged,
 * and the diagnosis must name exactly that hypothesis; the correct kernel passes with no diagnosis.
 * The example C mutants (examples/kernels/bug_*.c) are diagnosed through the protocol too.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  f32ToF16Bits,
  packTq1Block,
  packTq2Block,
  QK_K,
  quantizeRowQ8K,
  tq1ElementPosition,
  tq2ElementPosition,
  unpackQ8KBlock,
  Q8_K_BLOCK_BYTES,
} from "../../../reference/codec/index.js";
import { checkRowCells, builtinCases } from "../../../src/harness/check.js";
import {
  describeDiagnosis,
  diagnoseMatmul,
  diagnosisOfBoth,
  MATMUL_HYPOTHESES,
} from "../../../src/harness/diagnose.js";
import { diagnosisLines } from "../../../src/cli/commands/fuzz.js";
import { judgeDequantize, judgeMatmul, judgeQuantize } from "../../../src/harness/judge.js";
import { quantizeRowQ8KRounding } from "./fixtures/q8k-rounding.js";
import { checkKernel } from "../../../src/harness/api.js";
import { runKernelOnCase } from "../../../src/harness/run-kernel.js";
import type { KernelActivations, KernelCase, KernelFormat } from "../../../src/harness/protocol.js";
import { repoFile, trilm } from "../cli/harness.js";
import { HAS_CC } from "../../support/toolchain.js";

/** A deterministic pseudo-random generator (LCG), independent of the harness's. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ROWS = 6;
const BLOCKS = 3;
const BATCH = 2;
const NAN_BITS = 0x7e00;
const INF_BITS = 0x7c00;
/**
 * fp16 bits of the block scales, [row][block]; row 1's are fp16-subnormal or zero, so flushing them shows;
 * row 3's last block is NaN on all-zero weights (a dot of 0), row 4's last block +inf on random weights.
 */
const SCALE_BITS = [
  [f32ToF16Bits(0.75), f32ToF16Bits(1.5), f32ToF16Bits(0.3)],
  [0x0001, 0x0000, 0x0203],
  [f32ToF16Bits(1.25), f32ToF16Bits(0.5), f32ToF16Bits(3)],
  [f32ToF16Bits(1), f32ToF16Bits(0.5), NAN_BITS],
  [f32ToF16Bits(2), f32ToF16Bits(1), INF_BITS],
  [f32ToF16Bits(1), f32ToF16Bits(1), f32ToF16Bits(1)],
];

/** The 243 bytes the TQ1_0 encoder writes, ⌈v·256/243⌉ (written out here, not the codec's). */
const CANONICAL_TQ1_BYTES = new Set(Array.from({ length: 243 }, (_, v) => Math.ceil((v * 256) / 243)));

/**
 * A case every hypothesis changes: random codes and varied scales (one subnormal, one NaN on a zero dot,
 * one inf), a code 3 (TQ2_0) or an alias byte (TQ1_0) in row 0, a row of all +1 weights in block 0
 * against x = −127 (its Σ code·q8 overflows int16), and activations that are multiples of ½ in each
 * block whose largest magnitude is −127 (so Q8_K's iscale is 1 and every half is a Q8_K tie) in batch
 * row 0; batch row 1 is the same divided by 3 (a Q8_K d that fp16 cannot hold), with block 1 all zero.
 */
function richCase(format: KernelFormat, activations: KernelActivations): KernelCase {
  const next = lcg(format === "tq2_0" ? 7 : 8);
  const blocks: Uint8Array[] = [];
  for (let r = 0; r < ROWS; r++) {
    for (let blk = 0; blk < BLOCKS; blk++) {
      const codes = Uint8Array.from({ length: QK_K }, () => Math.floor(next() * 3));
      if ((r === 3 && blk === 2) || (r === 5 && blk === 0)) codes.fill(r === 3 ? 1 : 2);
      blocks.push(
        format === "tq2_0" ? packTq2Block(codes, SCALE_BITS[r][blk]) : packTq1Block(codes, SCALE_BITS[r][blk]),
      );
    }
  }
  const weight = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  blocks.forEach((b, i) => weight.set(b, i * b.length));
  if (format === "tq2_0") weight[tq2ElementPosition(7).byte] |= 3 << tq2ElementPosition(7).shift;
  else weight[3] = [...Array(256).keys()].filter((byte) => !CANONICAL_TQ1_BYTES.has(byte)).at(-1)!;
  const cols = BLOCKS * QK_K;
  const x = Float32Array.from({ length: BATCH * cols }, (_, i) =>
    i % QK_K === 5 || i < QK_K ? -127 : Math.round((next() * 2 - 1) * 240) / 2,
  );
  for (let i = cols; i < 2 * cols; i++) x[i] = i >= cols + QK_K && i < cols + 2 * QK_K ? 0 : Math.fround(x[i] / 3);
  return { op: "matmul", format, rows: ROWS, cols, batch: BATCH, activations, weight, x, label: "rich" };
}

/** The bugs a mutant kernel can have: the hypothesis ids. */
type Bug = (typeof MATMUL_HYPOTHESES)[number]["id"];

/** fp16 bits → value, written out here (not the codec's). */
function half(bits: number): number {
  const e = (bits >> 10) & 31;
  const m = bits & 1023;
  const v = e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15);
  return bits & 0x8000 ? -v : v;
}

/** The code of element e as a kernel with `bug` reads it. */
function codeOf(format: KernelFormat, block: Uint8Array, e: number, bug: Bug | undefined): number {
  if (format === "tq2_0") {
    const { byte, shift } =
      bug === "tq2-consecutive-elements" ? { byte: e >> 2, shift: 2 * (e & 3) } : tq2ElementPosition(e);
    const code = (block[byte] >> shift) & 3;
    if (code === 3 && bug === "code3-as-zero") return 1;
    if (code === 3 && bug === "code3-as-minus-one") return 0;
    if (code === 3 && bug === "code3-as-plus-one") return 2;
    return code;
  }
  let { byte, trit } = tq1ElementPosition(e);
  if (bug === "tq1-consecutive-elements" && e < 240) [byte, trit] = [Math.floor(e / 5), e % 5];
  if (bug === "tq1-qh-order" && e >= 240) [byte, trit] = [48 + ((e - 240) >> 2), (e - 240) & 3];
  if (bug === "tq1-alias-table" && !CANONICAL_TQ1_BYTES.has(block[byte])) return 0;
  return (((block[byte] * 3 ** trit) & 255) * 3) >> 8;
}

/** Round half to even (the Q8_K rule) or away from zero. */
function roundInt(v: number, away: boolean): number {
  const f = Math.floor(v);
  const frac = v - f;
  if (frac !== 0.5) return Math.round(v);
  return away ? (v > 0 ? f + 1 : f) : f % 2 === 0 ? f : f + 1;
}

/**
 * x of one batch row as the kernel's activations, q·d per element: the float x (d = 1) when f32 or a bug
 * says not to quantize, else integers q with their block's d, Q8_K (or Q8_1-style blocks of 32) as the bug has it.
 */
function kernelActivations(
  c: KernelCase,
  xb: Float32Array,
  bug: Bug | undefined,
): { q: Float64Array; d: Float64Array } {
  if (c.activations === "f32" || bug === "no-activation-quantization")
    return { q: Float64Array.from(xb), d: new Float64Array(xb.length).fill(1) };
  const q = new Float64Array(xb.length);
  const d = new Float64Array(xb.length);
  const size = bug === "q8_1-activation-blocks" ? 32 : QK_K;
  for (let k = 0; k < xb.length; k += size) {
    const part = Array.from(xb.subarray(k, k + size));
    if (size === 32) {
      const dq = Math.fround(Math.max(...part.map(Math.abs)) / 127);
      const id = dq === 0 ? 0 : Math.fround(1 / dq);
      part.forEach((v, j) => ((q[k + j] = roundInt(Math.fround(v * id), true)), (d[k + j] = half(f32ToF16Bits(dq)))));
      continue;
    }
    const max = part.reduce((m, v) => (Math.abs(v) > Math.abs(m) ? v : m), 0);
    if (max === 0) {
      d.fill(bug === "q8k-unguarded-zero-block" ? NaN : 0, k, k + size);
      continue;
    }
    const iscale = Math.fround(-127 / max);
    const dq = Math.fround(1 / iscale);
    part.forEach((v, j) => {
      q[k + j] = roundInt(Math.fround(iscale * v), bug === "q8k-ties-away");
      d[k + j] = bug === "q8k-d-fp16" ? half(f32ToF16Bits(dq)) : dq;
    });
  }
  return { q, d };
}

/**
 * A matmul kernel written for this test, with one bug or none: decodes each weight, quantizes the
 * activations as told, and sums in double (fp16 when that is the bug).
 */
function mutantKernel(c: KernelCase, bug: Bug | undefined): Float32Array {
  const size = c.format === "tq2_0" ? 66 : 54;
  const nb = c.cols / QK_K;
  const y = new Float32Array(c.batch * c.rows);
  const integerBlocks =
    c.activations === "ggml" && bug !== "no-activation-quantization" && bug !== "q8_1-activation-blocks";
  for (let b = 0; b < c.batch; b++) {
    const xb = bug === "batch-row0-reused" ? 0 : b;
    const xv = kernelActivations(c, c.x!.subarray(xb * c.cols, (xb + 1) * c.cols), bug);
    for (let r = 0; r < (bug === "last-row-skipped" ? c.rows - 1 : c.rows); r++) {
      let acc = 0;
      for (let i = 0; i < nb; i++) {
        if (bug === "last-block-skipped" && i === nb - 1) continue;
        if (bug === "only-last-block") acc = 0;
        const block = c.weight!.subarray((r * nb + i) * size, (r * nb + i + 1) * size);
        const scaleBlock = bug === "first-block-scale" ? c.weight!.subarray(r * nb * size) : block;
        const bits = scaleBlock[size - 2] | (scaleBlock[size - 1] << 8);
        let d = half(bits);
        if (bug === "scale-bf16") d = new Float32Array(new Uint32Array([bits << 16]).buffer)[0];
        if (bug === "subnormal-scale-flushed" && (bits & 0x7c00) === 0) d = 0;
        if (bug === "nonfinite-scale-zeroed" && !Number.isFinite(d)) d = 0;
        const fp16 = bug === "fp16-accumulation";
        const codes = Array.from({ length: QK_K }, (_, e) => codeOf(c.format, block, e, bug));
        const at = (e: number): number => i * QK_K + e;
        let dot = 0;
        for (let e = 0; e < QK_K; e++) dot += (codes[e] - 1) * xv.q[at(e)] * xv.d[at(e)];
        if (bug === "zero-block-dot-skipped" && dot === 0) continue;
        let blockSum = 0;
        if (integerBlocks) {
          let sumi = 0;
          for (let e = 0; e < QK_K; e++) sumi += xv.q[at(e)] * (codes[e] - 1);
          if (bug === "int16-accumulator") {
            let acc16 = 0;
            for (let e = 0; e < QK_K; e++) acc16 = ((acc16 + xv.q[at(e)] * codes[e]) << 16) >> 16;
            sumi = acc16 - codes.reduce((s, _, e) => s + xv.q[at(e)], 0);
          }
          blockSum = sumi * d * xv.d[at(0)];
        } else
          for (let e = 0; e < QK_K; e++) {
            const p = (codes[e] - 1) * d * (xv.q[at(e)] * xv.d[at(e)]);
            if (fp16 && c.activations === "f32") acc = half(f32ToF16Bits(acc + Math.fround(p)));
            else blockSum += p;
          }
        acc = fp16 && c.activations === "ggml" ? half(f32ToF16Bits(acc + Math.fround(blockSum))) : acc + blockSum;
      }
      const at =
        bug === "batch-rows-swapped"
          ? (c.batch - 1 - b) * c.rows + r
          : bug === "output-transposed"
            ? r * c.batch + b
            : b * c.rows + r;
      y[at] = acc;
    }
  }
  return y;
}

const MODES: readonly [KernelFormat, KernelActivations][] = [
  ["tq2_0", "f32"],
  ["tq2_0", "ggml"],
  ["tq1_0", "f32"],
  ["tq1_0", "ggml"],
];

describe.each(MODES)("diagnoseMatmul, %s with %s activations", (format, activations) => {
  const kernelCase = richCase(format, activations);

  test("the correct kernel passes, with no diagnosis", () => {
    const verdict = judgeMatmul(kernelCase, mutantKernel(kernelCase, undefined));
    expect(verdict.passed, verdict.reason).toBe(true);
    expect(verdict.diagnosis).toBeUndefined();
  });

  const applicable = MATMUL_HYPOTHESES.filter((h) => h.applies(kernelCase)).map((h) => h.id);
  test.each(applicable)("a kernel with bug %s is diagnosed as exactly that", (bug) => {
    const verdict = judgeMatmul(kernelCase, mutantKernel(kernelCase, bug));
    expect(verdict.passed).toBe(false);
    expect(verdict.diagnosis?.matches.map((m) => m.id)).toEqual([bug]);
    expect(verdict.diagnosis?.tried).toEqual(applicable);
  });
});

/** A dequantize kernel written for this test, with one bug about reading the weights or none. */
function mutantDequantize(c: KernelCase, bug: Bug | undefined): Float32Array {
  const size = c.format === "tq2_0" ? 66 : 54;
  const nb = c.cols / QK_K;
  const w = new Float32Array(c.rows * c.cols);
  for (let r = 0; r < c.rows; r++) {
    for (let i = 0; i < nb; i++) {
      const block = c.weight!.subarray((r * nb + i) * size, (r * nb + i + 1) * size);
      const scaleBlock = bug === "first-block-scale" ? c.weight!.subarray(r * nb * size) : block;
      const bits = scaleBlock[size - 2] | (scaleBlock[size - 1] << 8);
      let d = half(bits);
      if (bug === "scale-bf16") d = new Float32Array(new Uint32Array([bits << 16]).buffer)[0];
      if (bug === "subnormal-scale-flushed" && (bits & 0x7c00) === 0) d = 0;
      if (bug === "nonfinite-scale-zeroed" && !Number.isFinite(d)) d = 0;
      for (let e = 0; e < QK_K; e++) w[r * c.cols + i * QK_K + e] = (codeOf(c.format, block, e, bug) - 1) * d;
    }
  }
  return w;
}

const WEIGHT_BUGS = ["first-block-scale", "scale-bf16", "subnormal-scale-flushed", "nonfinite-scale-zeroed"];

describe.each(["tq2_0", "tq1_0"] as const)("diagnoseDequantize, %s", (format) => {
  const kernelCase: KernelCase = { ...richCase(format, "f32"), op: "dequantize", batch: 1, x: undefined };
  const layout =
    format === "tq2_0"
      ? ["tq2-consecutive-elements", "code3-as-zero", "code3-as-minus-one", "code3-as-plus-one"]
      : ["tq1-consecutive-elements", "tq1-qh-order", "tq1-alias-table"];

  test("the correct dequantizer passes, with no diagnosis", () => {
    const verdict = judgeDequantize(kernelCase, mutantDequantize(kernelCase, undefined));
    expect(verdict.passed, verdict.reason).toBe(true);
    expect(verdict.diagnosis).toBeUndefined();
  });

  test.each([...layout, ...WEIGHT_BUGS])("a dequantizer with bug %s is diagnosed as exactly that", (bug) => {
    const verdict = judgeDequantize(kernelCase, mutantDequantize(kernelCase, bug));
    expect(verdict.passed).toBe(false);
    expect(verdict.diagnosis?.matches.map((m) => m.id)).toEqual([bug]);
    expect(verdict.diagnosis?.tried).toEqual([...layout, ...WEIGHT_BUGS]);
    expect(describeDiagnosis(verdict.diagnosis!)).toMatch(
      / \(w equals the reference with that change on all 4608 outputs\)$/,
    );
  });
});

test("the catalogue covers every bug the mutant kernels have, in both formats", () => {
  const tried = new Set(
    MODES.flatMap(([f, a]) => diagnoseMatmul(richCase(f, a), new Float32Array(ROWS * BATCH)).tried),
  );
  expect([...tried].sort()).toEqual(MATMUL_HYPOTHESES.map((h) => h.id).sort());
});

test("a bug outside the catalogue is reported as such, the location as a guess", () => {
  const kernelCase = richCase("tq2_0", "f32");
  const y = mutantKernel(kernelCase, undefined).map((v, i) => (i === ROWS + 1 ? v + 1000 : v));
  const verdict = judgeMatmul(kernelCase, y);
  expect(verdict.diagnosis?.matches).toEqual([]);
  const cells = checkRowCells({ label: "rich", verdict });
  expect(cells.at(-2)).toMatch(/^guess: b1 r1 /);
  expect(cells.at(-1)).toMatch(/^no catalogued cause matches \(\d+ tried\)[^;]*; 1 of 12 outputs out of tolerance/);
});

test("a change that makes no difference on the case explains nothing, even where its bound is looser", () => {
  // one block of +1 weights at scale 1 and x = 1: no subnormal scale, no Q8_K tie, one block, so most
  // variants equal the reference; y just outside the §8.2 bound is inside their f32 bound (γ_256)
  const codes = new Uint8Array(QK_K).fill(2);
  const kernelCase: KernelCase = {
    op: "matmul",
    format: "tq2_0",
    rows: 1,
    cols: QK_K,
    batch: 1,
    activations: "ggml",
    weight: packTq2Block(codes, f32ToF16Bits(1)),
    x: new Float32Array(QK_K).fill(1),
  };
  const y = Float32Array.of(mutantKernel(kernelCase, undefined)[0] + 2e-3);
  const verdict = judgeMatmul(kernelCase, y);
  expect(verdict.passed).toBe(false);
  expect(verdict.diagnosis?.matches).toEqual([]);
});

test("describeDiagnosis says whether the change reproduces y exactly or within the bound", () => {
  const kernelCase = richCase("tq2_0", "ggml");
  const exact = judgeMatmul(kernelCase, mutantKernelGenericOrder(kernelCase));
  expect(describeDiagnosis(exact.diagnosis!)).toBe(
    "matches: first block scale applied to all blocks of the row (y equals the reference with that change on all 12 outputs)",
  );
  const oneUlpOff = mutantKernelGenericOrder(kernelCase).map((v, i) => (i === 0 ? v * (1 + 2 ** -23) : v));
  const within = judgeMatmul(kernelCase, oneUlpOff);
  expect(describeDiagnosis(within.diagnosis!)).toMatch(/agrees within the bound with the reference with that change/);
});

/** A 1-row tq2_0 f32 case of the given blocks (codes 0..2, fp16 scale bits), x from a fixed generator. */
function blocksCase(blocks: readonly { codes: Uint8Array; scale: number }[]): KernelCase {
  const next = lcg(11);
  const weight = new Uint8Array(blocks.length * 66);
  blocks.forEach((b, i) => weight.set(packTq2Block(b.codes, b.scale), i * 66));
  const cols = blocks.length * QK_K;
  const x = Float32Array.from({ length: cols }, () => Math.round((next() * 2 - 1) * 200) / 8);
  return { op: "matmul", format: "tq2_0", rows: 1, cols, batch: 1, activations: "f32", weight, x };
}

describe("matches a case cannot tell apart are ambiguous, never the cause", () => {
  const random = (): Uint8Array => {
    const next = lcg(12);
    return Uint8Array.from({ length: QK_K }, () => Math.floor(next() * 3));
  };
  const zeroWeights = new Uint8Array(QK_K).fill(1);
  const one = f32ToF16Bits(1);

  test("y all zero: every match is ambiguous and none is named the cause", () => {
    const kernelCase = blocksCase([{ codes: random(), scale: one }]);
    const verdict = judgeMatmul(kernelCase, mutantKernel(kernelCase, "last-row-skipped"));
    const matches = verdict.diagnosis!.matches;
    expect(matches.map((m) => [m.id, m.ambiguous])).toEqual([
      ["last-block-skipped", true],
      ["last-row-skipped", true],
    ]);
    expect(describeDiagnosis(verdict.diagnosis!)).toBe(
      `no catalogued cause identified (${verdict.diagnosis!.tried.length} tried); ` +
        "ambiguous on this case (y all zero or all NaN, or the same as another match): the last block of each row skipped; " +
        "the last weight row never computed (off-by-one row loop): its outputs left 0",
    );
  });

  test("y all zero with one match: still ambiguous (flushing or a kernel that writes nothing look alike)", () => {
    // 2 rows × 2 blocks, every scale fp16-subnormal: only flushing them reproduces y = 0
    const one = blocksCase([
      { codes: random(), scale: 0x0003 },
      { codes: random(), scale: 0x0011 },
    ]);
    const kernelCase: KernelCase = {
      ...one,
      rows: 2,
      weight: Uint8Array.of(...one.weight!, ...one.weight!.slice(66), ...one.weight!.slice(0, 66)),
    };
    const verdict = judgeMatmul(kernelCase, mutantKernel(kernelCase, "subnormal-scale-flushed"));
    expect(verdict.diagnosis!.matches.map((m) => [m.id, m.ambiguous])).toEqual([["subnormal-scale-flushed", true]]);
  });

  // block 1: all-zero weights at a NaN scale, so reading NaN as 0, skipping a zero dot and skipping the last block agree
  const nanOnZeroDot = blocksCase([
    { codes: random(), scale: one },
    { codes: zeroWeights, scale: NAN_BITS },
  ]);

  test("variants with the same output on the case are all ambiguous", () => {
    const verdict = judgeMatmul(nanOnZeroDot, mutantKernel(nanOnZeroDot, "nonfinite-scale-zeroed"));
    expect(verdict.diagnosis!.matches.map((m) => [m.id, m.ambiguous])).toEqual([
      ["first-block-scale", true],
      ["nonfinite-scale-zeroed", true],
      ["last-block-skipped", true],
      ["zero-block-dot-skipped", true],
    ]);
    expect(describeDiagnosis(verdict.diagnosis!)).not.toContain("matches:");
  });

  test("diagnosisOfBoth keeps the causes matching both cases, ambiguous only where ambiguous on both", () => {
    const ambiguous = judgeMatmul(nanOnZeroDot, mutantKernel(nanOnZeroDot, "nonfinite-scale-zeroed")).diagnosis!;
    // an inf scale on random weights in the middle block: only reading it as 0 reproduces a finite y
    const telling = blocksCase([
      { codes: random(), scale: one },
      { codes: random(), scale: INF_BITS },
      { codes: random(), scale: one },
    ]);
    const told = judgeMatmul(telling, mutantKernel(telling, "nonfinite-scale-zeroed")).diagnosis!;
    expect(told.matches.map((m) => [m.id, m.ambiguous])).toEqual([["nonfinite-scale-zeroed", false]]);
    const both = diagnosisOfBoth(told, ambiguous);
    expect(both.matches).toEqual([
      {
        id: "nonfinite-scale-zeroed",
        description: "NaN and ±inf block scales read as 0",
        exact: true,
        outputs: 2,
        ambiguous: false,
      },
    ]);
    expect(describeDiagnosis(both)).toBe(
      "matches: NaN and ±inf block scales read as 0 (y equals the reference with that change on all 2 outputs)",
    );
    const lines = diagnosisLines({
      passed: false,
      seed: 1,
      numRuns: 1,
      numShrinks: 1,
      numUnsupported: 0,
      coverage: new Map(),
      firstCounterexample: telling,
      firstVerdict: { passed: false, diagnosis: told },
      counterexample: nanOnZeroDot,
      verdict: { passed: false, diagnosis: ambiguous },
    });
    expect(lines).toEqual([
      `  diagnosis: ${describeDiagnosis(both)} (the first failing case and the minimal case together)`,
      `    first failing case (1 row × 3 blocks (cols 768), batch 1, tq2_0, f32 activations): ${describeDiagnosis(told)}`,
      `    minimal case: ${describeDiagnosis(ambiguous)}`,
    ]);
  });
});

/** The first-block-scale bug summed in ggml's generic order (integer block sums, float32 accumulation): bit for bit the variant. */
function mutantKernelGenericOrder(c: KernelCase): Float32Array {
  const nb = c.cols / QK_K;
  const y = new Float32Array(c.batch * c.rows);
  for (let b = 0; b < c.batch; b++) {
    const xq = quantizeRowQ8K(c.x!.subarray(b * c.cols, (b + 1) * c.cols));
    for (let r = 0; r < c.rows; r++) {
      let sumf = 0;
      for (let i = 0; i < nb; i++) {
        const a = unpackQ8KBlock(xq.subarray(i * Q8_K_BLOCK_BYTES));
        const block = c.weight!.subarray((r * nb + i) * 66);
        let sumi = 0;
        for (let e = 0; e < QK_K; e++) sumi += a.qs[e] * (codeOf("tq2_0", block, e, undefined) - 1);
        const first = c.weight!.subarray(r * nb * 66);
        sumf = Math.fround(sumf + Math.fround(sumi * Math.fround(half(first[64] | (first[65] << 8)) * a.d)));
      }
      y[b * c.rows + r] = sumf;
    }
  }
  return y;
}

test("checkKernel reports the diagnosis of its minimal case", async () => {
  const result = await checkKernel((c) => mutantKernel(c, "first-block-scale"), { format: "tq2_0", runs: 30, seed: 5 });
  expect(result.passed).toBe(false);
  expect(result.diagnosis?.matches.map((m) => m.id)).toEqual(["first-block-scale"]);
  const ok = await checkKernel((c) => mutantKernel(c, undefined), { format: "tq1_0", runs: 10, seed: 5 });
  expect(ok.diagnosis).toBeUndefined();
});

describe.skipIf(!HAS_CC)("the example C mutants are diagnosed through the protocol", () => {
  const KERNELS = {
    bug_scale: "scale-bf16",
    bug_layout: "tq2-consecutive-elements",
    bug_accumulate: "only-last-block",
  };
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trilm-diagnose-"));
    for (const name of [...Object.keys(KERNELS), "tq2_0_matmul"])
      execFileSync("cc", ["-O2", "-o", join(dir, name), repoFile(`examples/kernels/${name}.c`), "-lm"]);
  });
  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  test.each(Object.entries(KERNELS))("%s: every failing built-in tq2_0 case is diagnosed with %s", async (name, id) => {
    let alone = 0;
    for (const kernelCase of builtinCases("matmul", "tq2_0", { seed: 1 })) {
      const verdict = await runKernelOnCase(join(dir, name), kernelCase, { timeoutS: 10 });
      if (verdict.passed) continue;
      const matches = verdict.diagnosis?.matches.map((m) => m.id);
      expect(matches, `${kernelCase.label}: ${verdict.reason}`).toContain(id);
      if (matches?.length === 1) alone++;
    }
    expect(alone, "cases where the right cause is the only match").toBeGreaterThan(0);
  });

  test("trilm check leads a failure's reason with the diagnosis; trilm fuzz prints it", async () => {
    const check = await trilm("check", "--kernel", join(dir, "bug_scale"), "--op", "matmul", "--format", "tq2_0");
    expect(check.stdout).toMatch(/guess: b\d+ r\d+ .*matches: block scale read as bfloat16 instead of fp16 \(y /);
    const out = join(dir, "fuzz-bug_scale");
    const fuzz = await trilm(
      "fuzz",
      "--kernel",
      join(dir, "bug_scale"),
      "--format",
      "tq2_0",
      "--seed",
      "3",
      "--out",
      out,
    );
    expect(fuzz.stdout).toMatch(/\n {2}diagnosis: matches: block scale read as bfloat16 instead of fp16 \(y /);
    expect(fuzz.stdout).toMatch(/failing element: .*\(the weight's location is a guess\)/);
  });

  test("the correct C kernel's cases carry no diagnosis", async () => {
    for (const kernelCase of builtinCases("matmul", "tq2_0", { seed: 1 })) {
      const verdict = await runKernelOnCase(join(dir, "tq2_0_matmul"), kernelCase, { timeoutS: 10 });
      expect(verdict.passed, verdict.reason).toBe(true);
      expect(verdict.diagnosis).toBeUndefined();
    }
  });
});

/** The quantize hypotheses of the TQ formats (src/harness/diagnose-quantize.ts), as a TQ quantizer written here can have them. */
type QuantizeBug =
  | "tq-ties-to-even"
  | "tq-ties-up"
  | "tq-truncated"
  | "tq-scale-bf16"
  | "tq-signed-max-scale"
  | "tq2-consecutive-elements"
  | "tq1-consecutive-elements"
  | "tq1-qh-order";

/** bfloat16 bits of a float32 (round to nearest even), written here. */
function bf16Bits(v: number): number {
  const bits = new Uint32Array(Float32Array.of(v).buffer)[0];
  return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
}

/** Where a TQ quantizer with `bug` puts element e: [byte, slot] (TQ2_0: bit shift; TQ1_0: trit, 0 most significant). */
function placeOf(format: KernelFormat, e: number, bug: QuantizeBug | undefined): [number, number] {
  if (format === "tq2_0")
    return bug === "tq2-consecutive-elements"
      ? [e >> 2, 2 * (e & 3)]
      : [Math.floor(e / 128) * 32 + (e % 32), 2 * Math.floor((e % 128) / 32)];
  if (bug === "tq1-consecutive-elements" && e < 240) return [Math.floor(e / 5), e % 5];
  if (bug === "tq1-qh-order" && e >= 240) return [48 + Math.floor((e - 240) / 4), (e - 240) % 4];
  if (e < 160) return [e % 32, Math.floor(e / 32)];
  if (e < 240) return [32 + ((e - 160) % 16), Math.floor((e - 160) / 16)];
  return [48 + ((e - 240) % 4), Math.floor((e - 240) / 4)];
}

/** A TQ1_0 / TQ2_0 quantizer written for this test (spec/formats.md §3–§5), with one bug or none. */
function mutantQuantize(format: KernelFormat, x: Float32Array, bug: QuantizeBug | undefined): Uint8Array {
  const size = format === "tq2_0" ? 66 : 54;
  const out = new Uint8Array((x.length / QK_K) * size);
  for (let b = 0; b < x.length / QK_K; b++) {
    const xb = x.subarray(b * QK_K, (b + 1) * QK_K);
    let amax = 0;
    for (const v of xb) amax = Math.max(amax, bug === "tq-signed-max-scale" ? v : Math.abs(v));
    const id = amax === 0 ? 0 : Math.fround(1 / amax);
    const block = out.subarray(b * size, (b + 1) * size);
    const trits = Array.from({ length: 52 }, () => [0, 0, 0, 0, 0]);
    for (let e = 0; e < QK_K; e++) {
      const r = Math.fround(xb[e] * id);
      const away = Math.sign(r) * Math.floor(Math.abs(r) + 0.5);
      const tie = Math.abs(r % 1) === 0.5;
      const rounded =
        bug === "tq-truncated"
          ? Math.trunc(r)
          : bug === "tq-ties-up" && tie
            ? Math.floor(r + 0.5)
            : bug === "tq-ties-to-even" && tie
              ? away - Math.sign(r) * (away % 2 !== 0 ? 1 : 0)
              : away;
      const code = rounded + 1;
      const [byte, slot] = placeOf(format, e, bug);
      if (format === "tq2_0") block[byte] |= code << slot;
      else trits[byte][slot] = code;
    }
    if (format === "tq1_0")
      trits.forEach((t, byte) => (block[byte] = Math.ceil((t.reduce((v, c) => v * 3 + c, 0) * 256) / 243)));
    const scale = bug === "tq-scale-bf16" ? bf16Bits(amax) : f32ToF16Bits(amax);
    block[size - 2] = scale & 0xff;
    block[size - 1] = scale >> 8;
  }
  return out;
}

/**
 * A quantize case of 2 rows × 2 blocks: block k's largest magnitude is 2^(k−1) (so x·id is exact and
 * ±½ are ties), negative in blocks 1 and 3 (the signed maximum is then smaller), with elements at ±½·amax.
 */
function quantizeCase(format: KernelFormat): KernelCase {
  const next = lcg(11);
  const cols = 2 * QK_K;
  const w = new Float32Array(2 * cols);
  for (let k = 0; k < 4; k++) {
    const amax = 2 ** (k - 1);
    for (let e = 0; e < QK_K; e++) w[k * QK_K + e] = Math.fround(amax * (next() * 1.8 - 0.9));
    w[k * QK_K + 3] = k % 2 === 1 ? -amax : amax;
    w[k * QK_K + 10] = amax / 2;
    w[k * QK_K + 20] = -amax / 2;
  }
  return { op: "quantize", format, rows: 2, cols, batch: 1, activations: "f32", w, label: "quantize" };
}

describe.each(["tq2_0", "tq1_0"] as const)("diagnoseQuantize, %s", (format) => {
  const kernelCase = quantizeCase(format);
  const layout = format === "tq2_0" ? ["tq2-consecutive-elements"] : ["tq1-consecutive-elements", "tq1-qh-order"];
  const common = ["tq-ties-to-even", "tq-ties-up", "tq-truncated", "tq-scale-bf16", "tq-signed-max-scale"];

  test("the correct quantizer passes, with no diagnosis", () => {
    const verdict = judgeQuantize(kernelCase, mutantQuantize(format, kernelCase.w!, undefined));
    expect(verdict.passed, verdict.reason).toBe(true);
    expect(verdict.diagnosis).toBeUndefined();
  });

  test.each([...common, ...layout] as QuantizeBug[])("a quantizer with bug %s is diagnosed as exactly that", (bug) => {
    const verdict = judgeQuantize(kernelCase, mutantQuantize(format, kernelCase.w!, bug));
    expect(verdict.passed).toBe(false);
    expect(verdict.diagnosis?.matches).toEqual([expect.objectContaining({ id: bug, exact: true, ambiguous: false })]);
    expect(verdict.diagnosis?.tried).toEqual([...common, ...layout]);
    expect(describeDiagnosis(verdict.diagnosis!)).toMatch(
      / \(weight equals the reference with that change on all \d+ outputs\)$/,
    );
  });
});

describe("diagnoseQuantize, q8_K", () => {
  const cols = 2 * QK_K;
  // Largest magnitude −127 in each block, so iscale is 1 and every half is a tie.
  const w = Float32Array.from({ length: cols }, (_, i) => (i % QK_K === 0 ? -127 : (i % 61) - 30 + 0.5));
  const kernelCase: KernelCase = { op: "quantize", format: "q8_K", rows: 1, cols, batch: 1, activations: "f32", w };

  test("the correct quantizer passes, with no diagnosis", () => {
    const verdict = judgeQuantize(kernelCase, quantizeRowQ8KRounding(w, "half-even"));
    expect(verdict.passed, verdict.reason).toBe(true);
    expect(verdict.diagnosis).toBeUndefined();
  });

  test("a quantizer rounding ties away from zero is diagnosed as q8k-ties-away, in the check row", () => {
    const verdict = judgeQuantize(kernelCase, quantizeRowQ8KRounding(w, "roundf"));
    expect(verdict.diagnosis?.matches).toEqual([expect.objectContaining({ id: "q8k-ties-away", ambiguous: false })]);
    expect(verdict.diagnosis?.tried).toEqual(["q8k-ties-away"]);
    expect(checkRowCells({ label: "q8k", verdict }).at(-1)).toMatch(/^matches: Q8_K quantization rounds halves away/);
  });
});
