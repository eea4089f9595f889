/**
 * The hf-bitnet and w2a8 example kernels of examples/kernels/ (spec/kernel-protocol.md §13, §14) and their bug-zoo
 * entries: compiled with the system C compiler, hf_bitnet_matmul.c and w2a8_matmul.c pass `trilm check` (one process
 * per case and resident) and a fuzz session; hf_bitnet_scale_divided.c fails every "multiply" case naming kernel-bugs
 * B9, and w2a8_no_write.c fails every case it writes nothing for naming H3 — the all-zero case included; the same
 * kernels run on the golden suites golden/suites/hf-bitnet and w2a8 (`check --suite`).
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hfBitnetBuiltinCases } from "../../src/harness/hf-bitnet-cases.js";
import { w2a8BuiltinCases } from "../../src/harness/w2a8-cases.js";
import { repoFile, trilm } from "../src/cli/harness.js";
import { HAS_CC } from "../support/toolchain.js";

const SOURCES = {
  hf_bitnet_matmul: "examples/kernels/hf_bitnet_matmul.c",
  w2a8_matmul: "examples/kernels/w2a8_matmul.c",
  hf_bitnet_scale_divided: "examples/bug-zoo/hf_bitnet_scale_divided.c",
  w2a8_no_write: "examples/bug-zoo/w2a8_no_write.c",
} as const;

if (!HAS_CC) console.warn("\n*** test/examples/bitlinear-kernels.test.ts: SKIPPED, no C compiler `cc` on PATH ***\n");

describe.skipIf(!HAS_CC)("examples/kernels hf-bitnet and w2a8 (C)", () => {
  let dir = "";
  const binary = (name: keyof typeof SOURCES): string => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trilm-bitlinear-kernels-"));
    for (const [name, source] of Object.entries(SOURCES))
      execFileSync("cc", ["-O2", "-o", join(dir, name), repoFile(source), "-lm"]);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ["hf-bitnet", "w2a8"] as const) {
    const kernel = format === "hf-bitnet" ? "hf_bitnet_matmul" : "w2a8_matmul";
    const count = format === "hf-bitnet" ? hfBitnetBuiltinCases(1).length : w2a8BuiltinCases(1).length;
    test(`${kernel} passes check --format ${format}, one process per case and resident`, async () => {
      for (const resident of [[], ["--resident"]]) {
        const result = await trilm("check", "--kernel", binary(kernel), ...resident, "--format", format);
        expect(result.stdout).toContain(`${count} passed, 0 failed, 0 skipped`);
        expect(result.code).toBe(0);
      }
    }, 120_000);

    test(`${kernel} passes a fuzz session of --format ${format}`, async () => {
      const result = await trilm("fuzz", "--kernel", binary(kernel), "--format", format, "--runs", "15", "--seed", "3");
      expect(result.stdout).toContain("15 runs passed");
      expect(result.code).toBe(0);
    }, 120_000);
  }

  test("the golden suites: the correct kernels pass them, the bug-zoo kernels fail them", async () => {
    for (const [suite, good, bad, failed] of [
      ["hf-bitnet", "hf_bitnet_matmul", "hf_bitnet_scale_divided", 2],
      ["w2a8", "w2a8_matmul", "w2a8_no_write", 4],
    ] as const) {
      const pass = await trilm("check", "--kernel", binary(good), "--suite", repoFile(`golden/suites/${suite}`));
      expect(pass.stdout).toMatch(/^note: 4 pack and unpack tests of the suite are codec tests, not run/);
      expect(pass.stdout).toContain(`${suite === "w2a8" ? 4 : 6} passed, 0 failed, 0 skipped`);
      const fail = await trilm("check", "--kernel", binary(bad), "--suite", repoFile(`golden/suites/${suite}`));
      expect(fail.stdout).toContain(`, ${failed} failed, 0 skipped`);
      expect(fail.code).toBe(1);
    }
  }, 120_000);

  test("hf_bitnet_scale_divided fails every multiply case, each naming kernel-bugs B9", async () => {
    const result = await trilm("check", "--kernel", binary("hf_bitnet_scale_divided"), "--format", "hf-bitnet");
    expect(result.code).toBe(1);
    const failing = result.stdout.split("\n").filter((line) => line.includes(" FAIL "));
    const multiply = hfBitnetBuiltinCases(1).filter((c) => c.convention === "multiply" && c.x.some((v) => v !== 0));
    expect(multiply.length).toBeGreaterThanOrEqual(6);
    expect(failing).toHaveLength(multiply.length);
    for (const line of failing)
      expect(line).toContain("matches: weight_scale divided instead of multiplied: kernel-bugs B9");
  }, 120_000);

  test("fuzzing hf_bitnet_scale_divided shrinks to one token and names B9", async () => {
    const out = join(dir, "hf-fuzz");
    const result = await trilm(
      "fuzz",
      "--kernel",
      binary("hf_bitnet_scale_divided"),
      "--format",
      "hf-bitnet",
      "--runs",
      "20",
      "--seed",
      "1",
      "--out",
      out,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/minimal case: n 4, k 1, m 1, scale multiply/);
    expect(result.stdout).toContain("kernel-bugs B9");
    const replay = await trilm("check", "--kernel", binary("hf_bitnet_scale_divided"), "--case", out);
    expect(replay.stdout).toContain("0 passed, 1 failed");
  }, 120_000);

  test("w2a8_no_write fails every case it writes nothing for, the all-zero one included, naming H3", async () => {
    const result = await trilm("check", "--kernel", binary("w2a8_no_write"), "--format", "w2a8");
    expect(result.code).toBe(1);
    const rows = result.stdout.split("\n");
    const failing = rows.filter((line) => line.includes(" FAIL "));
    expect(failing).toHaveLength(w2a8BuiltinCases(1).length - 1);
    for (const line of failing)
      expect(line).toContain("y.bin left untouched: the kernel wrote no output (kernel-bugs H3");
    expect(rows.find((line) => line.startsWith("all-zero activations"))).toContain("FAIL");
    expect(rows.find((line) => line.startsWith("kernel shape 1x2560x2560"))).toContain("PASS");
  }, 120_000);
});
