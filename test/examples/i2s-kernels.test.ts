/**
 * The I2_S-format example kernels (spec/kernel-protocol.md §12): compiled with the system C compiler,
 * examples/kernels/i2_s_matmul.c passes `trilm check --format i2_s` in each layout it is built for (one process per case
 * and resident) and a fuzz session; the two modelled bitnet.cpp bugs of examples/bug-zoo/ fail with their cause named:
 * i2s_arm_layout.c (kernel-bugs B1) on the layout corners, i2s_int16_accumulator.c (B6) on the int16 hazard cases.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { repoFile, trilm } from "../src/cli/harness.js";
import { HAS_CC } from "../support/toolchain.js";

const SOURCES = {
  i2_s_matmul: "examples/kernels/i2_s_matmul.c",
  i2s_arm_layout: "examples/bug-zoo/i2s_arm_layout.c",
  i2s_int16_accumulator: "examples/bug-zoo/i2s_int16_accumulator.c",
} as const;

if (!HAS_CC) console.warn("\n*** test/examples/i2s-kernels.test.ts: SKIPPED, no C compiler `cc` on PATH ***\n");

describe.skipIf(!HAS_CC)("examples/kernels I2_S format (C)", () => {
  let dir = "";
  const binary = (name: keyof typeof SOURCES): string => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trilm-i2s-kernels-"));
    for (const [name, source] of Object.entries(SOURCES))
      execFileSync("cc", ["-O2", "-Wall", "-Werror", "-o", join(dir, name), repoFile(source), "-lm"]);
  });
  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  test("i2_s_matmul passes every fixed case of each layout (37 x86, 38 arm, 25 1x4), one process per case and resident", async () => {
    for (const [layout, count] of [
      ["x86", 37],
      ["arm", 38],
      ["1x4", 25],
    ] as const) {
      for (const resident of [[], ["--resident"]]) {
        const kernel = `${binary("i2_s_matmul")} --layout ${layout}`;
        const result = await trilm("check", "--kernel", kernel, "--format", "i2_s", "--layout", layout, ...resident);
        expect(result.stderr).toBe("");
        expect(result.code, result.stdout).toBe(0);
        expect(result.stdout).toMatch(new RegExp(`\\n${count} passed, 0 failed, 0 skipped\\n$`));
      }
    }
  });

  test("i2_s_matmul passes 30 fuzz runs (seed 1); built for x86 it declines arm cases (exit 3 → SKIP)", async () => {
    const fuzz = await trilm(
      "fuzz",
      "--kernel",
      binary("i2_s_matmul"),
      "--format",
      "i2_s",
      "--runs",
      "30",
      "--seed",
      "1",
    );
    expect(fuzz.code, fuzz.stdout).toBe(0);
    expect(fuzz.stdout).toMatch(/^trilm fuzz: 30 runs passed \(--format i2_s --layout x86, .*seed 1\)/);
    const arm = await trilm("check", "--kernel", binary("i2_s_matmul"), "--format", "i2_s", "--layout", "arm");
    expect(arm.code).toBe(1);
    expect(arm.stdout).toMatch(/\n0 passed, 0 failed, 38 skipped\n$/);
    expect(arm.stdout).toMatch(/unsupported \(exit status 3: kernel: unsupported layout \(see --layout\): arm\)/);
  });

  test("i2s_arm_layout (kernel-bugs B1) fails the corner cases, named; fuzz shrinks it to one weight's byte and shift", async () => {
    const check = await trilm("check", "--kernel", binary("i2s_arm_layout"), "--format", "i2_s");
    expect(check.code, check.stdout).toBe(1);
    expect(check.stdout).toMatch(/\n12 passed, 25 failed, 0 skipped\n$/);
    expect(check.stdout).toMatch(
      /one-weight-r0-c32-x86 +FAIL .*W\[0,32\] = \+1 at W\.bin byte 0, bits 5:4 \(x86 layout\) +matches: reads the arm \(64-element\) layout: kernel-bugs B1/,
    );
    const out = join(dir, "fuzz-arm");
    const fuzz = await trilm(
      "fuzz",
      "--kernel",
      binary("i2s_arm_layout"),
      "--format",
      "i2_s",
      "--seed",
      "1",
      "--out",
      out,
    );
    expect(fuzz.code, fuzz.stdout).toBe(1);
    expect(fuzz.stdout).toMatch(/\n {2}minimal case: n 1 × k 128, m 1, x86 layout, 1 non-zero weight\n/);
    expect(fuzz.stdout).toMatch(/\n {2}weight: W\[0,\d+\] = [+-]1 at W\.bin byte \d+, bits \d:\d \(x86 layout\)\n/);
    expect(fuzz.stdout).toMatch(/diagnosis: matches: reads the arm \(64-element\) layout/);
    const replay = await trilm("check", "--kernel", binary("i2s_arm_layout"), "--case", out);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toMatch(/\n0 passed, 1 failed, 0 skipped\n$/);
  });

  test("i2s_int16_accumulator (kernel-bugs B6) fails exactly the k 2176 and 4096 all-plus-one cases, lane named", async () => {
    const check = await trilm("check", "--kernel", binary("i2s_int16_accumulator"), "--format", "i2_s");
    expect(check.code, check.stdout).toBe(1);
    expect(check.stdout).toMatch(/\n33 passed, 3 failed, 1 skipped\n$/);
    expect(check.stdout).toMatch(/all-plus-one-k2048-q127-x86 +PASS/);
    for (const label of ["all-plus-one-k2176-q127-x86", "all-plus-one-k4096-q127-x86", "all-plus-one-k4096-q-127-x86"])
      expect(check.stdout).toMatch(
        new RegExp(
          `${label} +FAIL .*matches: int16 accumulator overflow \\(AVX2 _1x1's _mm256_add_epi16, kernel-bugs B6, ` +
            `microsoft/BitNet#629\\): y\\[0,0\\] lane 0, block 16: exact -?33528, kernel -?32008`,
        ),
      );
    expect(check.stdout).toMatch(/tail-k160-n4-m1-x86 +SKIP/);
  });
});
