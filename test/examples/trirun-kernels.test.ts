/**
 * The TriRun-format example kernels of examples/kernels/ (spec/kernel-protocol.md §11): compiled with the
 * system C compiler, trirun_matmul.c passes `trilm check --format trirun` (one process per case and
 * resident), the golden suite's TriRun matmul tests (`check --suite golden/suites/trirun`, which the scale bug
 * fails) and a fuzz session; each trirun_bug_*.c fails check, and `trilm fuzz --seed 1` shrinks its
 * failure to k 128 × n 256, m 1, naming the weight's tile, B word and crumb.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readTrirunCaseDir } from "../../src/harness/trirun-case.js";
import { TRIRUN_HYPOTHESES } from "../../src/harness/trirun-diagnose.js";
import { repoFile, trilm } from "../src/cli/harness.js";
import { HAS_CC } from "../support/toolchain.js";

/** Each buggy kernel, and what its minimal fuzz case holds: one weight in one tile, or none (the decode bug shows on zeros). */
const BUGGY = {
  trirun_bug_scale_perm: "1 non-zero weight in 1 tile",
  trirun_bug_interleave: "1 non-zero weight in 1 tile",
  trirun_bug_magic: "0 non-zero weights in 0 tiles",
  trirun_bug_rewind: "1 non-zero weight in 1 tile",
} as const;

/** The spec/kernel-protocol.md §11.6 hypothesis each buggy kernel is diagnosed as. */
const CAUSE: Record<keyof typeof BUGGY, string> = {
  trirun_bug_scale_perm: "trirun-scale-permutation-skipped",
  trirun_bug_interleave: "trirun-crumb-interleave-skipped",
  trirun_bug_magic: "trirun-magic-0x6400",
  trirun_bug_rewind: "trirun-b-not-rewound",
};
const KERNELS = ["trirun_matmul", ...Object.keys(BUGGY)];

if (!HAS_CC) console.warn("\n*** test/examples/trirun-kernels.test.ts: SKIPPED, no C compiler `cc` on PATH ***\n");

describe.skipIf(!HAS_CC)("examples/kernels TriRun format (C)", () => {
  let dir = "";
  const binary = (name: string): string => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trilm-trirun-kernels-"));
    for (const name of KERNELS)
      execFileSync("cc", [
        "-O2",
        "-Wall",
        "-Werror",
        "-o",
        binary(name),
        repoFile(`examples/kernels/${name}.c`),
        "-lm",
      ]);
  });
  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  test("trirun_matmul passes the 50 fixed cases, one process per case and resident", async () => {
    for (const resident of [[], ["--resident"]]) {
      const result = await trilm("check", "--kernel", binary("trirun_matmul"), "--format", "trirun", ...resident);
      expect(result.stderr).toBe("");
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/\n50 passed, 0 failed, 0 skipped\n$/);
      expect(result.stdout).toMatch(/fp16-accumulation-stall-k256-n256-m1-g128 +PASS/);
    }
  });

  test("golden/suites/trirun: trirun_matmul passes its 10 matmul tests (one process per case and resident); the scale bug fails some", async () => {
    for (const resident of [[], ["--resident"]]) {
      const result = await trilm(
        "check",
        ...["--kernel", binary("trirun_matmul"), "--suite", repoFile("golden/suites/trirun"), ...resident],
      );
      expect(result.code, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/^note: the 51 pack, unpack, validate tests of .* are codec tests/);
      expect(result.stdout).toMatch(/\n10 passed, 0 failed, 0 skipped\n$/);
    }
    const bug = await trilm(
      "check",
      ...["--kernel", binary("trirun_bug_scale_perm"), "--suite", repoFile("golden/suites/trirun")],
    );
    expect(bug.code, bug.stdout).toBe(1);
    expect(bug.stdout).toMatch(/\n\d+ passed, [1-9]\d* failed, 0 skipped\n$/);
    expect(bug.stdout).toMatch(/\ntc52 +FAIL .*matches: TriRun's permuted s .*\(row 0, column \d+, n-tile \d+\)/);
  });

  test("trirun_matmul passes 30 fuzz runs (seed 1) and --slices 1; a TQ case is declined (exit 3 → SKIP)", async () => {
    const fuzz = await trilm(
      "fuzz",
      "--kernel",
      binary("trirun_matmul"),
      "--format",
      "trirun",
      "--runs",
      "30",
      "--seed",
      "1",
    );
    expect(fuzz.code, fuzz.stdout).toBe(0);
    expect(fuzz.stdout).toMatch(/^trilm fuzz: 30 runs passed \(--format trirun, .*seed 1\)/);
    const one = await trilm("check", "--kernel", binary("trirun_matmul"), "--format", "trirun", "--slices", "1");
    expect(one.code, one.stdout).toBe(0);
    const tq = await trilm("check", "--kernel", binary("trirun_matmul"), "--op", "matmul", "--format", "tq2_0");
    expect(tq.code).toBe(1);
    expect(tq.stdout).toMatch(
      /unsupported \(exit status 3: kernel: unsupported format \(TriRun-format kernel\): tq2_0\)/,
    );
  });

  for (const [name, minimal] of Object.entries(BUGGY)) {
    test(`${name}: check fails it, fuzz --seed 1 shrinks it to k 128 × n 256, m 1 (${minimal}), replay fails`, async () => {
      const check = await trilm("check", "--kernel", binary(name), "--format", "trirun");
      expect(check.code, check.stdout).toBe(1);
      expect(check.stdout).toMatch(/\n\d+ passed, [1-9]\d* failed, 0 skipped\n$/);
      const out = join(dir, `fuzz-${name}`);
      const fuzz = await trilm(
        "fuzz",
        "--kernel",
        binary(name),
        "--format",
        "trirun",
        "--runs",
        "50",
        "--seed",
        "1",
        "--out",
        out,
      );
      expect(fuzz.code, fuzz.stdout).toBe(1);
      expect(fuzz.stdout).toMatch(/^trilm fuzz: counterexample after \d+ runs?, shrunk in \d+ steps? \(seed 1\)\n/);
      expect(fuzz.stdout).toContain(`  minimal case: k 128 × n 256, m 1, per-column scales, ${minimal}\n`);
      expect(fuzz.stdout).toMatch(/\n {2}failing element: y\[0,\d+\] \(row 0, column \d+, n-tile \d+\); expected /);
      if (minimal.startsWith("1 "))
        expect(fuzz.stdout).toMatch(
          /\n {2}weight: W\[\d+,\d+\] = [+-]1 in tile \(\d+,\d+\), B word \(\d+,\d+\) crumb \d+ \(bits \d+\.\.\d+\)\n/,
        );
      const description = TRIRUN_HYPOTHESES.find((h) => h.id === CAUSE[name as keyof typeof BUGGY])!.description;
      expect(fuzz.stdout).toContain(`  diagnosis: matches: ${description} (y equals the reference with that change`);
      expect(readTrirunCaseDir(out).weights.k).toBe(128);
      const replay = await trilm("check", "--kernel", binary(name), "--case", out);
      expect(replay.code, replay.stdout).toBe(1);
      expect(replay.stdout).toMatch(/trilm fuzz seed 1 +FAIL/);
    });
  }
});
