import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { QK_K } from "../../../reference/codec/index.js";
import { describeCase, describeWorst, fuzzCases, subCase } from "../../../src/harness/fuzz.js";
import { unsupportedVerdict, type KernelCase } from "../../../src/harness/protocol.js";
import { describeError } from "../../../src/cli/commands/fuzz.js";
import { trilm } from "../cli/harness.js";

/** A 3-row, 2-batch, 3-block tq2_0 case whose bytes and activations name their position. */
function labelledCase(): KernelCase {
  const rows = 3,
    batch = 2,
    nb = 3,
    cols = nb * QK_K;
  const weight = new Uint8Array(rows * nb * 66);
  for (let r = 0; r < rows; r++)
    for (let i = 0; i < nb; i++) weight.fill(10 * r + i, (r * nb + i) * 66, (r * nb + i + 1) * 66);
  const x = Float32Array.from(
    { length: batch * cols },
    (_, k) => 100 * Math.floor(k / cols) + Math.floor((k % cols) / QK_K),
  );
  return { op: "matmul", format: "tq2_0", rows, cols, batch, activations: "f32", weight, x };
}

describe("fuzzCases", () => {
  test("a judge that passes everything passes all runs", async () => {
    let calls = 0;
    const result = await fuzzCases(() => (calls++, { passed: true }), {
      op: "matmul",
      format: "tq1_0",
      runs: 20,
      seed: 1,
    });
    expect(result).toMatchObject({ passed: true, seed: 1, numRuns: 20 });
    expect(calls).toBe(20);
  });

  test("a failure shrinks to one row, one block, batch 1 and comes back with its verdict", async () => {
    const result = await fuzzCases(
      (c) => (c.rows * c.batch * c.cols > 0 ? { passed: false, reason: `saw ${c.rows}` } : { passed: true }),
      {
        op: "matmul",
        format: "tq2_0",
        runs: 10,
        seed: 2,
      },
    );
    expect(result.passed).toBe(false);
    expect(result.counterexample).toMatchObject({ rows: 1, cols: QK_K, batch: 1 });
    expect(result.verdict?.reason).toBe("saw 1");
  });

  test("the first failing case is kept, before shrinking, with its verdict", async () => {
    const judged: KernelCase[] = [];
    const result = await fuzzCases(
      (c) => (judged.push(c), c.rows > 1 ? { passed: false, reason: `saw ${c.rows}` } : { passed: true }),
      { op: "matmul", format: "tq2_0", runs: 50, seed: 2 },
    );
    const first = judged.find((c) => c.rows > 1);
    expect(result.firstCounterexample).toBe(first);
    expect(result.firstVerdict?.reason).toBe(`saw ${first!.rows}`);
    expect(result.counterexample).toMatchObject({ rows: 2, batch: 1, cols: QK_K });
  });

  test("a failure that needs two blocks and a given row keeps exactly those", async () => {
    // Fails when the case holds at least two blocks and a non-zero weight byte.
    const judge = (c: KernelCase) => ({
      passed: !(c.cols >= 2 * QK_K && c.weight!.some((b, k) => k % 66 < 64 && b !== 0x55)),
    });
    const result = await fuzzCases(judge, { op: "matmul", format: "tq2_0", runs: 50, seed: 3 });
    expect(result.passed).toBe(false);
    expect(result.counterexample).toMatchObject({ rows: 1, cols: 2 * QK_K, batch: 1 });
  });

  test("an exception thrown by the judge is a failure with its message", async () => {
    const result = await fuzzCases(
      () => {
        throw new Error("boom");
      },
      { op: "matmul", format: "tq2_0", runs: 5, seed: 4 },
    );
    expect(result.passed).toBe(false);
    expect(result.verdict?.reason).toContain("boom");
  });

  test("the same seed replays the same cases; progress is reported", async () => {
    const seen: number[][] = [[], []];
    const phases: string[] = [];
    for (const k of [0, 1]) {
      await fuzzCases((c) => (seen[k].push(c.x![0], c.rows), { passed: true }), {
        op: "matmul",
        format: "tq2_0",
        runs: 5,
        seed: 99,
        onProgress: (p) => phases.push(p.phase),
      });
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(phases).toEqual(Array(10).fill("search"));
  });

  test("a case the judge finds unsupported is skipped: counted, never a failure, never a shrink target", async () => {
    const unsupported = unsupportedVerdict("unsupported (exit status 3: batch > 1)");
    const some = await fuzzCases((c) => (c.batch > 1 ? unsupported : { passed: true }), {
      op: "matmul",
      format: "tq2_0",
      runs: 30,
      seed: 5,
    });
    expect(some.passed).toBe(true);
    expect(some.numUnsupported).toBeGreaterThan(0);
    expect(some.numUnsupported).toBeLessThan(30);
    expect(some.unsupportedReason).toBe(unsupported.reason);

    const all = await fuzzCases(() => unsupported, { op: "matmul", format: "tq2_0", runs: 10, seed: 5 });
    expect(all).toMatchObject({ passed: false, numRuns: 10, numUnsupported: 10 });
    expect(all.counterexample).toBeUndefined();

    // fails with two rows or more, unsupported with a single row: shrinking must keep two rows
    const failing = await fuzzCases(
      (c) => (c.rows === 1 ? unsupported : c.rows >= 2 ? { passed: false, reason: "two rows" } : { passed: true }),
      { op: "matmul", format: "tq2_0", runs: 30, seed: 6, maxRows: 4 },
    );
    expect(failing.passed).toBe(false);
    expect(failing.counterexample?.rows).toBe(2);
    expect(failing.verdict?.reason).toBe("two rows");
  });

  test("only matmul is fuzzed", async () => {
    await expect(fuzzCases(() => ({ passed: true }), { op: "dequantize", format: "tq2_0" })).rejects.toThrow(/matmul/);
  });
});

describe("subCase and descriptions", () => {
  test("subCase picks rows, activation rows and blocks in the order given", () => {
    const sub = subCase(labelledCase(), [2], [1], [2, 0]);
    expect([sub.rows, sub.cols, sub.batch]).toEqual([1, 512, 1]);
    expect([sub.weight![0], sub.weight![66]]).toEqual([22, 20]);
    expect([sub.x![0], sub.x![256]]).toEqual([102, 100]);
  });

  test("describeCase and describeWorst", () => {
    expect(describeCase(labelledCase())).toBe("3 rows × 3 blocks (cols 768), batch 2, tq2_0, f32 activations");
    expect(
      describeWorst({
        passed: false,
        worst: { index: 0, batch: 0, row: 0, col: 4, block: 0, byte: 4, bit: 0, expected: 0, actual: -1 },
      }),
    ).toBe("y[0,0] (batch 0, row 0); weight col 4 = block 0, byte 4, bit 0; expected 0, got -1");
    expect(
      describeWorst({
        passed: false,
        worst: { index: 1, batch: 0, row: 1, block: 1, byte: 48, trit: 3, expected: 1, actual: 2 },
      }),
    ).toBe("y[0,1] (batch 0, row 1); block 1, byte 48, trit 3; expected 1, got 2");
    expect(describeWorst({ passed: true })).toBeUndefined();
  });
});

describe("trilm fuzz (command line)", () => {
  // A "kernel" that fails every case (fast: no process but the shell).
  const refusingKernel = "exit 1 #";
  test("a counterexample: exit 1, the report, the saved minimal case", async () => {
    const dir = mkdtempSync(join(tmpdir(), "trilm-fuzz-"));
    try {
      const out = join(dir, "case");
      const result = await trilm(
        "fuzz",
        "--kernel",
        refusingKernel,
        "--op",
        "matmul",
        "--format",
        "tq1_0",
        "--runs",
        "20",
        "--seed",
        "7",
        "--out",
        out,
      );
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toBe("");
      expect(result.stdout).toContain("(seed 7)");
      expect(result.stdout).toContain("minimal case: 1 row × 1 block (cols 256), batch 1, tq1_0, f32 activations");
      expect(result.stdout).toMatch(/reason: .*status 1/);
      expect(result.stdout).toContain(
        `replay: trilm check --kernel '${refusingKernel.replace(/'/g, "'\\''")}' --case ${out}`,
      );
      expect(JSON.parse(readFileSync(join(out, "case.json"), "utf8"))).toMatchObject({
        protocol: 1,
        shape: { rows: 1, cols: 256, batch: 1 },
      });
      const replay = await trilm("check", "--kernel", refusingKernel, "--case", out);
      expect(replay.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a kernel that declines every case (exit status 3): a loud warning, exit 1, no counterexample", async () => {
    const result = await trilm("fuzz", "--kernel", "echo no tq1_0 >&2; exit 3 #", "--format", "tq1_0", "--runs", "5");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^trilm fuzz: WARNING: the kernel declined all 5 runs as unsupported, nothing was tested .*: unsupported \(exit status 3: no tq1_0\)/,
    );
  });

  test("the report's error line counts non-finite mismatches apart from max abs err and nmse", () => {
    expect(describeError({ passed: false, maxAbsError: 0.5, nmse: 0.25, nonFinite: 0 })).toBe(
      "max abs err 0.5, nmse 0.25",
    );
    expect(describeError({ passed: false, maxAbsError: 0, nmse: 0, nonFinite: 3 })).toBe(
      "max abs err 0, nmse 0 over the finite outputs; 3 non-finite mismatches (NaN or ±inf, left out of both)",
    );
    expect(describeError({ passed: false, reason: "the kernel exited with status 1" })).toBeUndefined();
  });

  test.each([
    [["--runs", "0"], /--runs must be an integer from 1/],
    [["--seed", "x"], /--seed must be an integer/],
    [["--timeout", "-1"], /--timeout must be a positive number/],
  ])("bad option %j: exit 2", async (args, message) => {
    const result = await trilm("fuzz", "--kernel", "true", "--format", "tq2_0", ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  test("--format is required", async () => {
    const result = await trilm("fuzz", "--kernel", "true");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--format/);
  });
});
