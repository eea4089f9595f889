import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgmlType, quantizeRow } from "../../../reference/codec/index.js";
import { DEFAULT_TIMEOUT_S } from "../../../src/harness/protocol.js";
import { builtinCases } from "../../../src/harness/check.js";
import { writeCaseDir } from "../../../src/harness/case-dir.js";
import { bundleTestKernel, type TestKernel } from "../harness/kernel-fixture.js";
import { repoFile, trilm, useTempDir } from "./harness.js";

let kernel: TestKernel;
beforeAll(() => {
  kernel = bundleTestKernel();
});
afterAll(() => kernel.dispose());
const temp = useTempDir();

describe("trilm check", () => {
  it("passes a correct kernel on the built-in cases: one row per case, then the counts, exit 0", async () => {
    const result = await trilm(
      "check",
      "--kernel",
      kernel.command("correct"),
      "--op",
      "matmul",
      "--format",
      "tq2_0",
      "--seed",
      "4",
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^case\s+result\s+max abs err\s+nmse\s+non-finite\s+worst element\s+reason$/);
    const n = builtinCases("matmul", "tq2_0", { seed: 4 }).length;
    expect(lines).toHaveLength(2 + n);
    expect(lines.at(-1)).toBe(`${n} passed, 0 failed, 0 skipped`);
    expect(result.stdout).toMatch(/matmul-tq2_0-zero-block-ggml\s+PASS/);
  }, 60_000);

  it("fails a kernel with a layout bug, names the block, byte and bit, exit 1", async () => {
    const result = await trilm(
      "check",
      "--kernel",
      kernel.command("layout"),
      "--op",
      "dequantize",
      "--format",
      "tq2_0",
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /dequantize-tq2_0-1x1-block\s+FAIL\s+\S+\s+\S+\s+0\s+b0 r0 c\d+ block 0 byte \d+ bit \d\s+matches: TQ2_0 element map: .*; \d+ of 256 values differ/,
    );
    const n = builtinCases("dequantize", "tq2_0", { seed: 1 }).length;
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe(`0 passed, ${n} failed, 0 skipped`);
  }, 60_000);

  it("carries on past a crashing kernel", async () => {
    const result = await trilm("check", "--kernel", kernel.command("crash"), "--op", "quantize", "--format", "tq1_0");
    expect(result.code).toBe(1);
    expect(result.stdout.match(/exited with status 4/g)).toHaveLength(
      builtinCases("quantize", "tq1_0", { seed: 1 }).length,
    );
  }, 60_000);

  it("skips the cases a kernel declines with exit status 3, and exits 0 when none failed", async () => {
    const result = await trilm(
      "check",
      "--kernel",
      kernel.command("matmul-only"),
      "--suite",
      repoFile("golden/suites/codecs"),
    );
    expect(result.code, result.stdout).toBe(1); // every case skipped: nothing was checked
    expect(result.stdout).toMatch(
      /tc1\s+SKIP\s+-\s+-\s+-\s+-\s+unsupported \(exit status 3: kernel: unsupported op: quantize\)/,
    );
    expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(/^0 passed, 0 failed, [1-9]\d* skipped$/);
    expect(result.stderr).toMatch(/^trilm check: WARNING: all \d+ cases were skipped, nothing was checked/);

    const dir = temp("mixed");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "run.sh"),
      `case "$(cat "$1/case.json")" in *'"batch": 1'*) exec ${kernel.command("correct")} "$1";; esac\nexit 3\n`,
    );
    const mixed = await trilm("check", "--kernel", `sh ${join(dir, "run.sh")}`, "--op", "matmul", "--format", "tq1_0");
    expect(mixed.stderr).toBe("");
    expect(mixed.code, mixed.stdout).toBe(0);
    expect(mixed.stdout).toMatch(
      /matmul-tq1_0-4x2-blocks-batch3-f32\s+SKIP\s+-\s+-\s+-\s+-\s+unsupported \(exit status 3\)/,
    );
    const cases = builtinCases("matmul", "tq1_0", { seed: 1 });
    const single = cases.filter((c) => c.batch === 1).length;
    expect(mixed.stdout.trimEnd().split("\n").at(-1)).toBe(
      `${single} passed, 0 failed, ${cases.length - single} skipped`,
    );
  }, 60_000);

  it("reports NaN outputs as non-finite mismatches, not as a max abs err of 0", async () => {
    const dir = temp("nan-case");
    const ones = new Float32Array(256).fill(1);
    const weight = quantizeRow(GgmlType.TQ2_0, ones);
    writeCaseDir(dir, {
      op: "matmul",
      format: "tq2_0",
      rows: 1,
      cols: 256,
      batch: 1,
      activations: "f32",
      weight,
      x: ones,
      label: "one-output",
    });
    const result = await trilm("check", "--kernel", kernel.command("nan"), "--case", dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/one-output\s+FAIL\s+0\s+0\s+1\s+/);
  }, 30_000);

  it("--help's examples name suites that exist; check and fuzz share one default timeout", async () => {
    const help = await trilm("check", "--help");
    const suites = [...help.stdout.matchAll(/\$ trilm .*--suite (\S+)/g)].map((m) => m[1]);
    expect(suites.length).toBeGreaterThan(0);
    for (const suite of suites) expect(existsSync(repoFile(join(suite, "manifest.json"))), suite).toBe(true);
    expect(help.stdout).toContain(`(default: ${DEFAULT_TIMEOUT_S})`);
    expect((await trilm("fuzz", "--help")).stdout).toContain(`(default: "${DEFAULT_TIMEOUT_S}")`);
  });

  it("runs one saved case directory", async () => {
    const dir = temp("case");
    writeCaseDir(dir, builtinCases("matmul", "tq1_0", { seed: 1, activations: "ggml" })[2]);
    const result = await trilm("check", "--kernel", kernel.command("nan"), "--case", dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/matmul-tq1_0-5x3-blocks-ggml\s+FAIL.*y\[0,4\] = NaN/);
    const ok = await trilm("check", "--kernel", kernel.command("correct"), "--case", dir, "--timeout", "20");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/1 passed, 0 failed, 0 skipped\n$/);
  }, 30_000);

  it.each([
    [["--op", "matmul", "--format", "tq2_0"], /required option '--kernel <command>'/],
    [["--kernel", "true"], /give exactly one of/],
    [["--kernel", "true", "--op", "matmul"], /--op and --format go together/],
    [["--kernel", "true", "--op", "conv", "--format", "tq2_0"], /Expected matmul, dequantize, quantize/],
    [["--kernel", "true", "--op", "matmul", "--format", "tq2_0", "--timeout", "0"], /positive number of seconds/],
    [["--kernel", "true", "--suite", "/nonexistent"], /manifest.json: no such file/],
  ])("refuses bad usage %j with exit 2", async (args, message) => {
    const result = await trilm("check", ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
