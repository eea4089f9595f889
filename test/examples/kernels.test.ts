/**
 * The example kernels of examples/kernels/: compiled with the system C compiler, the correct one
 * passes `trilm check` and `trilm fuzz`; each deliberately buggy one fails `trilm check`, and
 * `trilm fuzz` shrinks its failure to one row of at most two blocks.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readCaseDir } from "../../src/harness/case-dir.js";
import { runKernelOnCase } from "../../src/harness/run-kernel.js";
import { repoFile, trilm } from "../src/cli/harness.js";
import { HAS_CC } from "../support/toolchain.js";

const KERNELS = ["tq2_0_matmul", "bug_layout", "bug_scale", "bug_accumulate"] as const;
const BUGGY = KERNELS.filter((name) => name.startsWith("bug_"));

if (!HAS_CC) console.warn("\n*** test/examples/kernels.test.ts: SKIPPED, no C compiler `cc` on PATH ***\n");

describe.skipIf(!HAS_CC)("examples/kernels (C, protocol v1)", () => {
  let dir = "";
  const binary = (name: string): string => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trilm-kernels-"));
    for (const name of KERNELS) {
      execFileSync("cc", [
        "-O2",
        "-Wall",
        "-Werror",
        "-o",
        binary(name),
        repoFile(`examples/kernels/${name}.c`),
        "-lm",
      ]);
    }
  });
  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  test("trilm check passes the correct kernel on the built-in tq2_0 and tq1_0 matmul cases", async () => {
    for (const format of ["tq2_0", "tq1_0"]) {
      const result = await trilm("check", "--kernel", binary("tq2_0_matmul"), "--op", "matmul", "--format", format);
      expect(result.stderr, format).toBe("");
      expect(result.code, `${format}\n${result.stdout}`).toBe(0);
    }
  });

  test("a matmul kernel on the codecs suite is skipped (exit status 3), not failed; tq1_0 cases of a tq2_0-only kernel too", async () => {
    const codecs = await trilm(
      "check",
      "--kernel",
      binary("tq2_0_matmul"),
      "--suite",
      repoFile("golden/suites/codecs"),
    );
    expect(codecs.stdout).toMatch(/\n0 passed, 0 failed, [1-9]\d* skipped\n$/);
    expect(codecs.stdout).toContain("unsupported (exit status 3: kernel: unsupported op: quantize)");
    expect(codecs.stderr).toMatch(/WARNING: all \d+ cases were skipped/);
    expect(codecs.code).toBe(1);
    const matmul = await trilm("check", "--kernel", binary("bug_layout"), "--suite", repoFile("golden/suites/matmul"));
    expect(matmul.stdout).toMatch(/\n0 passed, [1-9]\d* failed, [1-9]\d* skipped\n$/);
    expect(matmul.stdout).toContain("unsupported (exit status 3: kernel: unsupported format: tq1_0)");
  });

  test.each(BUGGY)("trilm check fails %s on the built-in tq2_0 matmul cases", async (name) => {
    const result = await trilm("check", "--kernel", binary(name), "--op", "matmul", "--format", "tq2_0");
    expect(result.code, result.stdout).toBe(1);
  });

  test("trilm fuzz passes the correct kernel (tq2_0 and tq1_0, f32 and ggml activations)", async () => {
    for (const [format, activations] of [
      ["tq2_0", "f32"],
      ["tq1_0", "f32"],
      ["tq2_0", "ggml"],
      ["tq1_0", "ggml"],
    ]) {
      const out = join(dir, `fuzz-ok-${format}-${activations}`);
      const result = await trilm(
        "fuzz",
        "--kernel",
        binary("tq2_0_matmul"),
        "--op",
        "matmul",
        "--format",
        format,
        "--activations",
        activations,
        "--runs",
        "25",
        "--seed",
        "11",
        "--out",
        out,
      );
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/^trilm fuzz: 25 runs passed .*seed 11\)\n  coverage: q8k-ties \d+, .*\n$/);
    }
  });

  test.each(BUGGY)("trilm fuzz finds %s and shrinks it to one row of at most two blocks", async (name) => {
    const out = join(dir, `fuzz-${name}`);
    const result = await trilm(
      "fuzz",
      "--kernel",
      binary(name),
      "--op",
      "matmul",
      "--format",
      "tq2_0",
      "--runs",
      "50",
      "--seed",
      "3",
      "--out",
      out,
    );
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain("seed 3");
    expect(result.stdout).toContain(`replay: trilm check --kernel ${binary(name)} --case ${out}`);
    expect(result.stdout).toMatch(/failing element: y\[0,0\] .*block \d, byte \d+, bit \d/);

    const caseJson = JSON.parse(readFileSync(join(out, "case.json"), "utf8")) as {
      shape: { rows: number; cols: number; batch: number };
    };
    expect(caseJson.shape.rows).toBe(1);
    expect(caseJson.shape.cols).toBeLessThanOrEqual(512);
    expect(caseJson.shape.batch).toBe(1);

    // The saved case replays: the kernel still fails it, the correct kernel passes it.
    const saved = readCaseDir(out);
    expect((await runKernelOnCase(binary(name), saved, { timeoutS: 10 })).passed).toBe(false);
    expect((await runKernelOnCase(binary("tq2_0_matmul"), saved, { timeoutS: 10 })).passed).toBe(true);
    const replay = await trilm("check", "--kernel", binary(name), "--case", out);
    expect(replay.code).toBe(1);
  });

  test("bug_accumulate needs two blocks to fail", async () => {
    const out = join(dir, "fuzz-accumulate-1block");
    const result = await trilm(
      "fuzz",
      "--kernel",
      binary("bug_accumulate"),
      "--op",
      "matmul",
      "--format",
      "tq2_0",
      "--runs",
      "30",
      "--seed",
      "5",
      "--max-blocks",
      "1",
      "--out",
      out,
    );
    expect(result.code, result.stdout).toBe(0);
  });
});
