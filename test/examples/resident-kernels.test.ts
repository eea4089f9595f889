/**
 * The resident example kernels (protocol v1.1, spec/kernel-protocol.md §8): the C one
 * (examples/kernels/tq2_0_matmul_resident.c, compiled with cc) passes `trilm check --resident`; the
 * Python + numpy one passes `trilm fuzz --resident`, and its KERNEL_BUG=first-scale variant is found
 * and shrunk to one row of two blocks in resident mode.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repoFile, trilm } from "../src/cli/harness.js";
import { HAS_CC, HAS_NUMPY } from "../support/toolchain.js";

if (!HAS_CC)
  console.warn("\n*** test/examples/resident-kernels.test.ts: C tests SKIPPED, no C compiler `cc` on PATH ***\n");
if (!HAS_NUMPY)
  console.warn("\n*** test/examples/resident-kernels.test.ts: Python tests SKIPPED, no python3 with numpy ***\n");

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "trilm-resident-examples-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!HAS_CC)("examples/kernels/tq2_0_matmul_resident.c", () => {
  test("trilm check --resident passes it on the built-in tq2_0 and tq1_0 matmul cases", async () => {
    const binary = join(dir, "tq2_0_matmul_resident");
    execFileSync("cc", [
      "-O2",
      "-Wall",
      "-Werror",
      "-o",
      binary,
      repoFile("examples/kernels/tq2_0_matmul_resident.c"),
      "-lm",
    ]);
    for (const format of ["tq2_0", "tq1_0"]) {
      const result = await trilm("check", "--kernel", binary, "--resident", "--op", "matmul", "--format", format);
      expect(result.code, `${format}\n${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/\b[1-9]\d* passed, 0 failed/);
    }
  }, 60_000);
});

describe.skipIf(!HAS_NUMPY)("examples/kernels/tq_matmul_resident.py", () => {
  const python = `python3 ${repoFile("examples/kernels/tq_matmul_resident.py")}`;
  const fuzz = (kernel: string, activations: string, out: string): ReturnType<typeof trilm> =>
    trilm(
      "fuzz",
      "--kernel",
      kernel,
      "--resident",
      "--op",
      "matmul",
      "--format",
      "tq2_0",
      "--activations",
      activations,
      "--runs",
      "40",
      "--seed",
      "1",
      "--out",
      join(dir, out),
    );

  test.each(["f32", "ggml"])(
    "trilm fuzz --resident passes it (%s activations), with a summary line",
    async (activations) => {
      const result = await fuzz(python, activations, `ok-${activations}`);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stderr).toMatch(
        /^trilm fuzz: 40 runs and 0 shrink tries in [\d.]+ s; resident kernel started 1 time\n$/,
      );
    },
    60_000,
  );

  test("trilm fuzz --resident finds KERNEL_BUG=first-scale and shrinks it to one row of two blocks", async () => {
    const result = await fuzz(`KERNEL_BUG=first-scale ${python}`, "f32", "first-scale");
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain("minimal case: 1 row × 2 blocks (cols 512), batch 1");
    expect(result.stdout).toMatch(/search again: .* --resident /);
    const saved = JSON.parse(readFileSync(join(dir, "first-scale", "case.json"), "utf8")) as {
      shape: { rows: number };
    };
    expect(saved.shape.rows).toBe(1);
  }, 60_000);
});
