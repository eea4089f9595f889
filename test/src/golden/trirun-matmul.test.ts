/**
 * The trirun suite from a kernel's side (spec/golden.md §6.3, §9): the reference's y passes every matmul test of
 * the committed golden/suites/trirun by the rule as data (acceptedByNonFiniteMask) and by golden/verify_numpy.py
 * (skipped loudly without python3 + numpy); kernels with fp16 accumulation throughout, an unpermuted scale array or
 * a one-tile layout error fail; the rule decides as trirunOutputAccepted; a corrupted expected file fails
 * `verifySuite`.
 */

import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { f16BitsToF32, f32ToF16Bits, roundToF16 } from "../../../reference/codec/float16.js";
import { permuteTrirunScales, unpackTrirun, type TrirunMatrix } from "../../../reference/codec/trirun.js";
import { trirunEffectiveWeights, trirunMatmul } from "../../../reference/codec/trirun-matmul.js";
import { trirunMatmulAcceptance, trirunOutputAccepted } from "../../../reference/tolerances/trirun-matmul.js";
import { boundRoles, type TestCase, type TestGroup } from "../../../src/golden/manifest.js";
import { parseTensor, serializeTensor, sha256Hex, type Tensor } from "../../../src/golden/tensor.js";
import {
  acceptedByNonFiniteMask,
  NONFINITE_INFINITY_ACCEPTED,
  NONFINITE_NAN_ACCEPTED,
} from "../../../src/golden/trirun-matmul.js";
import { readManifest, verifySuite } from "../../../src/golden/verify.js";
import { repoFile } from "../cli/harness.js";
import { HAS_NUMPY } from "../../support/toolchain.js";

const SUITE = repoFile("golden/suites/trirun");
if (!HAS_NUMPY)
  console.warn("\n*** test/src/golden/trirun-matmul.test.ts: numpy rule SKIPPED, no python3 with numpy ***\n");

const manifest = readManifest(join(SUITE, "manifest.json"));
const matmulGroups = manifest.testGroups.filter((g) => g.op === "matmul");
const temp = mkdtempSync(join(tmpdir(), "trilm-golden-trirun-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A test's file as a tensor. */
function tensorOf(test: TestCase, role: string): Tensor {
  const entry = test.files[role];
  const tensor = parseTensor(
    new Uint8Array(readFileSync(join(SUITE, entry.file))),
    entry.dtype,
    entry.shape,
    entry.file,
  );
  if (typeof tensor === "string") throw new Error(tensor);
  return tensor;
}

/** The logical weights and x of a matmul test. */
function operands(group: TestGroup, test: TestCase): { weights: TrirunMatrix; x: Uint16Array; m: number } {
  const { k, n, groupSize, m } = group.params as { k: number; n: number; groupSize: -1 | 128; m: number };
  const B = tensorOf(test, "B").data as Int32Array;
  const s = tensorOf(test, "s").data as Uint16Array;
  return { weights: unpackTrirun({ k, n, groupSize, B, s }), x: tensorOf(test, "x").data as Uint16Array, m };
}

/** A kernel: weights and x → y fp16 bits [m × n]. */
type Kernel = (weights: TrirunMatrix, x: Uint16Array, m: number) => Uint16Array;

/** TriRun's arithmetic with an fp16 accumulator (every partial sum rounded to fp16): a kernel bug. */
const fp16Accumulation: Kernel = (weights, x, m) => {
  const { k, n, groupSize, scales } = weights;
  const w = trirunEffectiveWeights(weights);
  const y = new Uint16Array(m * n);
  for (let b = 0; b < m; b++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let i = 0; i < k; i++) acc = roundToF16(acc + f16BitsToF32(x[b * k + i]) * w[i * n + j]);
      y[b * n + j] = f32ToF16Bits(groupSize === -1 ? acc * f16BitsToF32(scales[j]) : acc);
    }
  return y;
};

/** A kernel that never unpermutes s: it reads TriRun's permuted s as the logical scales. */
const scalesNotUnpermuted: Kernel = (weights, x, m) =>
  trirunMatmul({ ...weights, scales: permuteTrirunScales(weights, weights.scales) }, x, m);

/** A kernel whose layout puts the tile of columns 0..15 where 16..31 belong and back (one tile swap per strip). */
const tileSwapped: Kernel = (weights, x, m) => {
  const codes = weights.codes.slice();
  for (let i = 0; i < weights.k; i++)
    for (let j = 0; j < 16; j++) {
      codes[i * weights.n + j] = weights.codes[i * weights.n + j + 16];
      codes[i * weights.n + j + 16] = weights.codes[i * weights.n + j];
    }
  return trirunMatmul({ ...weights, codes }, x, m);
};

/** Does the kernel's y pass test's rule as data? */
function passes(group: TestGroup, test: TestCase, kernel: Kernel): boolean {
  const { weights, x, m } = operands(group, test);
  const y = kernel(weights, x, m);
  const rule = group.tolerance.bounds?.y;
  if (rule?.nonFinite === undefined) throw new Error("no nonFinite role");
  const bound = tensorOf(test, rule.bound).data;
  const center = tensorOf(test, rule.center).data;
  const mask = tensorOf(test, rule.nonFinite).data;
  return y.every((bits, i) => acceptedByNonFiniteMask(f16BitsToF32(bits), center[i], bound[i], mask[i]));
}

/** Write the kernel's y for every matmul test (and the expected files for the other groups) under a new folder. */
function candidateOutputs(name: string, kernel: Kernel): string {
  const out = join(temp, name);
  cpSync(SUITE, out, { recursive: true });
  for (const group of matmulGroups)
    for (const test of group.tests) {
      const { weights, x, m } = operands(group, test);
      const y: Tensor = { dtype: "float16", shape: [m, weights.n], data: kernel(weights, x, m) };
      writeFileSync(join(out, test.files.y.file), serializeTensor(y));
    }
  return out;
}

/** golden/verify_numpy.py's FAIL lines for a candidate folder. */
function numpyFailures(outputs: string): string[] {
  const run = spawnSync("python3", [repoFile("golden/verify_numpy.py"), SUITE, outputs], { encoding: "utf8" });
  if (run.status !== 0 && run.status !== 1) throw new Error(run.stderr);
  return run.stdout.split("\n").filter((line) => line.startsWith("FAIL"));
}

const stallTests = matmulGroups.filter((g) => g.tests[0].flags.includes("Fp16AccumulationStall"));

describe("golden/suites/trirun matmul groups", () => {
  test("carry both scale modes, m 1 and 4, the stall and near-overflow cases", () => {
    expect(new Set(matmulGroups.map((g) => g.params.groupSize))).toEqual(new Set([-1, 128]));
    expect(new Set(matmulGroups.map((g) => g.params.m))).toEqual(new Set([1, 4]));
    expect(stallTests).toHaveLength(2);
    expect(matmulGroups.filter((g) => g.tests[0].flags.includes("NearOverflow"))).toHaveLength(2);
    for (const group of matmulGroups) expect(boundRoles(group)).toEqual(["y_bound", "y_center", "y_nonfinite"]);
  });

  test("the reference's y passes every test; fp16 accumulation, unpermuted scales and a swapped tile fail", () => {
    for (const group of matmulGroups)
      for (const test of group.tests) expect(passes(group, test, trirunMatmul), `tc${test.tcId}`).toBe(true);
    for (const group of stallTests) expect(passes(group, group.tests[0], fp16Accumulation)).toBe(false);
    const random = matmulGroups.filter((g) => g.tests[0].flags.includes("Random"));
    for (const group of random) {
      expect(passes(group, group.tests[0], tileSwapped), `tc${group.tests[0].tcId}`).toBe(false);
      expect(passes(group, group.tests[0], scalesNotUnpermuted), `tc${group.tests[0].tcId}`).toBe(false);
    }
  });

  test.runIf(HAS_NUMPY)(
    "golden/verify_numpy.py decides the same: the reference passes, fp16 accumulation fails",
    () => {
      expect(numpyFailures(SUITE)).toEqual([]);
      expect(numpyFailures(candidateOutputs("reference", trirunMatmul))).toEqual([]);
      const failures = numpyFailures(candidateOutputs("fp16-accumulation", fp16Accumulation));
      for (const group of stallTests) expect(failures.join("\n")).toContain(`FAIL tc${group.tests[0].tcId} matmul`);
      // NaN where only ±inf is accepted (bit 0 alone), and ±inf where neither is: each fails.
      const test = matmulGroups.find((g) => g.tests[0].flags.includes("NearOverflow"))!.tests[0];
      const mask = tensorOf(test, "y_nonfinite").data;
      for (const [name, bits, wanted] of [
        ["nan-not-allowed", 0x7e00, NONFINITE_INFINITY_ACCEPTED],
        ["inf-not-allowed", 0x7c00, 0],
      ] as const) {
        const out = candidateOutputs(name, trirunMatmul);
        const y = tensorOf(test, "y");
        if (y.dtype !== "float16") throw new Error("y is not float16");
        y.data[mask.indexOf(wanted)] = bits;
        writeFileSync(join(out, test.files.y.file), serializeTensor(y));
        expect(numpyFailures(out), name).toEqual([`FAIL tc${test.tcId} matmul trirun y (elementwise-bound)`]);
      }
    },
  );

  test("the rule as data decides as trirunOutputAccepted on special values", () => {
    for (const group of matmulGroups.filter((g) => g.tests[0].flags.includes("NearOverflow"))) {
      const test = group.tests[0];
      const { weights, x, m } = operands(group, test);
      const acceptance = trirunMatmulAcceptance(weights, x, m, { slices: group.params.slices as number });
      const rule = group.tolerance.bounds?.y;
      const [bound, center, mask] = [rule?.bound, rule?.center, rule?.nonFinite].map(
        (r) => tensorOf(test, r ?? "").data,
      );
      for (let i = 0; i < m * weights.n; i++)
        for (const bits of [
          0x7c00,
          0xfc00,
          0x7e00,
          0,
          0x7bff,
          f32ToF16Bits(center[i]),
          f32ToF16Bits(center[i] + bound[i] * 1.01),
        ])
          expect(
            acceptedByNonFiniteMask(f16BitsToF32(bits), center[i], bound[i], mask[i]),
            `y[${i}] 0x${bits.toString(16)}`,
          ).toBe(trirunOutputAccepted(acceptance, i, bits));
    }
    expect(acceptedByNonFiniteMask(NaN, 0, 1, NONFINITE_INFINITY_ACCEPTED)).toBe(false);
    expect(acceptedByNonFiniteMask(NaN, 0, 1, NONFINITE_NAN_ACCEPTED)).toBe(true);
    expect(acceptedByNonFiniteMask(Infinity, 0, 1, NONFINITE_NAN_ACCEPTED)).toBe(false);
    expect(acceptedByNonFiniteMask(1, NaN, Infinity, 3)).toBe(false);
  });
});

describe("verifySuite on a corrupted trirun suite", () => {
  test("a flipped byte in an expected B fails its sha256; a changed y with a matching sha256 fails the recomputation", () => {
    const dir = join(temp, "corrupt");
    cpSync(SUITE, dir, { recursive: true });
    const pack = manifest.testGroups.find((g) => g.op === "pack")!.tests[0];
    const bPath = join(dir, pack.files.B.file);
    const bytes = readFileSync(bPath);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(bPath, bytes);
    const matmul = matmulGroups[0].tests[0];
    const yPath = join(dir, matmul.files.y.file);
    const y = readFileSync(yPath);
    y[y.length - 1] ^= 1;
    writeFileSync(yPath, y);
    const manifestPath = join(dir, "manifest.json");
    const text = readFileSync(manifestPath, "utf8").replace(matmul.files.y.sha256, sha256Hex(y));
    writeFileSync(manifestPath, text);
    const report = verifySuite(manifestPath);
    expect(report.failures.map((f) => f.tcId)).toEqual([pack.tcId, matmul.tcId]);
    expect(report.failures[0].problem).toContain("sha256");
    expect(report.failures[1].problem).toContain("the reference's output differs");
  });
});
