import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinCases } from "../../../src/harness/check.js";
import { writeCaseDir } from "../../../src/harness/case-dir.js";
import { bundleTestKernel, type TestKernel } from "../harness/kernel-fixture.js";
import { trilm, useTempDir } from "./harness.js";

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
    expect(lines[0]).toMatch(/^case\s+result\s+max abs err\s+nmse\s+worst element\s+reason$/);
    expect(lines).toHaveLength(2 + 16);
    expect(lines.at(-1)).toBe("16 passed, 0 failed");
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
      /dequantize-tq2_0-1x1-block\s+FAIL\s+\S+\s+\S+\s+b0 r0 c\d+ block 0 byte \d+ bit \d\s+\d+ of 256 values differ/,
    );
    expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(/^0 passed, 7 failed$/);
  }, 60_000);

  it("carries on past a crashing kernel", async () => {
    const result = await trilm("check", "--kernel", kernel.command("crash"), "--op", "quantize", "--format", "tq1_0");
    expect(result.code).toBe(1);
    expect(result.stdout.match(/exited with status 3/g)).toHaveLength(7);
  }, 60_000);

  it("runs one saved case directory", async () => {
    const dir = temp("case");
    writeCaseDir(dir, builtinCases("matmul", "tq1_0", { seed: 1, activations: "ggml" })[2]);
    const result = await trilm("check", "--kernel", kernel.command("nan"), "--case", dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/matmul-tq1_0-5x3-blocks-ggml\s+FAIL.*y\[0,4\] = NaN/);
    const ok = await trilm("check", "--kernel", kernel.command("correct"), "--case", dir, "--timeout", "20");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/1 passed, 0 failed\n$/);
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
