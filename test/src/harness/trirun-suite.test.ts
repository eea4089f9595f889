/**
 * The TriRun matmul tests of a golden suite (src/harness/trirun-suite.ts, spec/kernel-protocol.md §11.4): read from
 * golden/suites/trirun with the suite's own acceptance files, and `trilm check --suite` running a Node kernel (no C
 * compiler needed) on them: the correct one passes, a scale bug fails, and a suite whose y_center is moved fails the
 * correct kernel (the suite's files judge, not a recomputation).
 */

import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { trirunMatmulAcceptance } from "../../../reference/tolerances/trirun-matmul.js";
import { trirunCodecTestsNote, trirunSuiteTests, type TrirunSuiteTest } from "../../../src/harness/trirun-suite.js";
import { parseNpy, serializeNpy } from "../../../src/io/npy.js";
import { repoFile, trilm } from "../cli/harness.js";
import { bundleTestKernel, type TestKernel } from "./kernel-fixture.js";

const SUITE = "golden/suites/trirun";
const MATMUL_TESTS = ["tc52", "tc53", "tc54", "tc55", "tc56", "tc57", "tc58", "tc59", "tc60", "tc61"];

describe("trirunSuiteTests", () => {
  test("golden/suites/trirun: its 10 matmul tests, with acceptance data equal to spec/tolerances.md §10's", () => {
    const suite = trirunSuiteTests(repoFile(SUITE));
    expect(suite.entries.map((e) => e.label)).toEqual(MATMUL_TESTS);
    expect(suite.codecTests).toEqual({ pack: 20, unpack: 12, validate: 19 });
    expect(trirunCodecTestsNote(suite, SUITE)).toBe(
      `note: the 51 pack, unpack, validate tests of ${SUITE} are codec tests, not kernel tests ` +
        `(trilm golden verify ${SUITE} judges them)`,
    );
    for (const entry of suite.entries) {
      expect("skipped" in entry ? entry.skipped : "", entry.label).toBe("");
      const { kernelCase, acceptance } = entry as TrirunSuiteTest;
      const computed = trirunMatmulAcceptance(kernelCase.weights, kernelCase.x, kernelCase.m, {
        slices: acceptance.slices,
      });
      expect(acceptance.center, entry.label).toEqual(computed.center);
      expect(acceptance.bound, entry.label).toEqual(computed.bound);
      expect(acceptance.overflowPossible, entry.label).toEqual(computed.overflowPossible);
      expect(acceptance.nanPossible, entry.label).toEqual(computed.nanPossible);
    }
    expect(trirunSuiteTests(repoFile(SUITE), "quantize").entries).toEqual([]);
    expect(trirunSuiteTests(repoFile("golden/suites/matmul")).entries).toEqual([]);
  });
});

describe("trilm check --suite golden/suites/trirun (a Node kernel)", () => {
  let kernel: TestKernel;
  beforeAll(() => {
    kernel = bundleTestKernel("trirun-node-kernel.ts");
  });
  afterAll(() => kernel.dispose());

  test("the correct kernel passes the 10 matmul tests, with the note on the codec tests first", async () => {
    const result = await trilm("check", "--kernel", kernel.command("correct"), "--suite", repoFile(SUITE));
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^note: the 51 pack, unpack, validate tests of .* are codec tests, not kernel tests/);
    for (const label of MATMUL_TESTS) expect(result.stdout).toMatch(new RegExp(`\\n${label} +PASS `));
    expect(result.stdout).toMatch(/\n10 passed, 0 failed, 0 skipped\n$/);
    const filtered = await trilm(
      "check",
      ...["--kernel", kernel.command("correct"), "--suite", repoFile(SUITE), "--op", "matmul", "--format", "trirun"],
    );
    expect(filtered.stdout).toMatch(/\n10 passed, 0 failed, 0 skipped\n$/);
    for (const [args, message] of [
      [["--op", "dequantize"], "holds no kernel test groups"],
      [["--format", "tq2_0"], "holds no kernel test groups"],
      [["--slices", "2"], "--slices applies to --format trirun only"],
    ]) {
      const refused = await trilm("check", "--kernel", kernel.command("correct"), "--suite", repoFile(SUITE), ...args);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(message);
    }
  });

  test("the scale permutation skipped fails some tests, naming the output's row, column and n-tile", async () => {
    const result = await trilm("check", "--kernel", kernel.command("scale-perm-skipped"), "--suite", repoFile(SUITE));
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/\n\d+ passed, [1-9]\d* failed, 0 skipped\n$/);
    expect(result.stdout).toMatch(
      /\ntc52 +FAIL .* y\[0,\d+\] n-tile \d+ .*outside the suite's acceptance files .*\(row 0, column \d+, n-tile \d+\)/,
    );
  });

  test("a suite whose y_center is moved by 1 fails the correct kernel: the suite's files judge", async () => {
    const dir = join(kernel.dir, "moved-suite");
    mkdirSync(dir);
    const manifest = JSON.parse(readFileSync(repoFile(`${SUITE}/manifest.json`), "utf8")) as {
      numberOfTests: number;
      testGroups: { op: string; tests: { tcId: number }[] }[];
    };
    manifest.testGroups = manifest.testGroups.filter((g) => g.op === "matmul" && g.tests[0].tcId === 52);
    manifest.numberOfTests = 1;
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    cpSync(repoFile(`${SUITE}/tc0052`), join(dir, "tc0052"), { recursive: true });
    const path = join(dir, "tc0052", "y_center.npy");
    const center = parseNpy(new Uint8Array(readFileSync(path)), path);
    writeFileSync(
      path,
      serializeNpy({ ...center, data: Float64Array.from(center.data, (v) => v + 1) } as typeof center),
    );
    const result = await trilm("check", "--kernel", kernel.command("correct"), "--suite", dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/\ntc52 +FAIL .*256 of 256 outputs outside the suite's acceptance files/);
    expect(result.stdout).not.toContain("note:");
  });
});
