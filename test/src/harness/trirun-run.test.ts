/**
 * Running a TriRun-format kernel command on a case (spec/kernel-protocol.md §11.2): a Node kernel (no C
 * compiler needed) reading the .npy inputs passes, a scale bug fails, a float32 y and exit status 3 are
 * reported as the protocol says, the kept case directory holds every file, and `check`/`fuzz` run it.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomTrirunCase } from "../../../src/harness/trirun-cases.js";
import { runTrirunKernelOnCase } from "../../../src/harness/trirun-run.js";
import { trilm } from "../cli/harness.js";
import { bundleTestKernel, type TestKernel } from "./kernel-fixture.js";

describe("runTrirunKernelOnCase (a Node kernel)", () => {
  let kernel: TestKernel;
  beforeAll(() => {
    kernel = bundleTestKernel("trirun-node-kernel.ts");
  });
  afterAll(() => kernel.dispose());
  const kernelCase = randomTrirunCase("run", { k: 256, n: 256, m: 2, groupSize: 128 }, 9);

  test("correct passes; the scale permutation skipped fails; the kept directory holds every file", async () => {
    const keepDir = join(kernel.dir, "kept");
    const ok = await runTrirunKernelOnCase(kernel.command("correct"), kernelCase, { timeoutS: 30, keepDir });
    expect(ok).toMatchObject({ passed: true, maxAbsError: 0 });
    for (const file of ["case.json", "B.bin", "s.bin", "B.npy", "s.npy", "x.npy", "y.npy"])
      expect(existsSync(join(keepDir, file)), file).toBe(true);
    const bad = await runTrirunKernelOnCase(kernel.command("scale-perm-skipped"), kernelCase, { timeoutS: 30 });
    expect(bad.passed).toBe(false);
    expect(bad.reason).toMatch(/outputs outside the spec\/tolerances\.md §10 bound \(P = 4 slices\)/);
  });

  test("a float32 y.npy fails with the dtype named; exit status 3 skips the case", async () => {
    const f4 = await runTrirunKernelOnCase(kernel.command("f4"), kernelCase, { timeoutS: 30 });
    expect(f4).toEqual({ passed: false, reason: "y.npy has dtype '<f4', expected float16 '<f2'" });
    const declined = await runTrirunKernelOnCase(kernel.command("unsupported"), kernelCase, { timeoutS: 30 });
    expect(declined).toEqual({
      passed: false,
      unsupported: true,
      reason: "unsupported (exit status 3: kernel: unsupported format trirun)",
    });
  });

  test("trilm check --format trirun and trilm fuzz --format trirun run it; usage errors exit 2", async () => {
    const check = await trilm("check", "--kernel", kernel.command("correct"), "--format", "trirun", "--slices", "2");
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toMatch(/\n50 passed, 0 failed, 0 skipped\n$/);
    const fuzz = await trilm(
      "fuzz",
      "--kernel",
      kernel.command("scale-perm-skipped"),
      "--format",
      "trirun",
      "--runs",
      "20",
      "--seed",
      "2",
      "--out",
      join(kernel.dir, "fz"),
    );
    expect(fuzz.code, fuzz.stdout).toBe(1);
    expect(fuzz.stdout).toContain("  minimal case: k 128 × n 256, m 1, ");
    expect(fuzz.stdout).toMatch(/\n {2}weight: W\[\d+,\d+\] = [+-]1 in tile \(\d+,\d+\), B word \(\d+,\d+\) crumb \d+/);
    for (const [args, message] of [
      [["--format", "trirun", "--suite", "golden/suites/matmul"], "golden/suites/matmul holds no kernel test groups"],
      [["--format", "trirun", "--activations", "f32"], "format trirun's activations are always f16"],
      [["--op", "matmul", "--format", "tq2_0", "--slices", "2"], "--slices applies to --format trirun only"],
    ]) {
      const refused = await trilm("check", "--kernel", kernel.command("correct"), ...args);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(message);
    }
  });
});
