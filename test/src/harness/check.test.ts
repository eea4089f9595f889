import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgmlType, quantizeRow } from "../../../reference/codec/index.js";
import { InputError } from "../../../src/errors.js";
import { requireConsistentCase } from "../../../src/harness/case-dir.js";
import {
  builtinCases,
  checkRowCells,
  checkStatus,
  checkSummaryLine,
  summarizeCheck,
  worstElementCell,
  runCheck,
  suiteCases,
  type CheckResult,
} from "../../../src/harness/check.js";
import { unsupportedVerdict } from "../../../src/harness/protocol.js";
import { serializeNpy } from "../../../src/io/npy.js";
import { bundleTestKernel, type TestKernel } from "./kernel-fixture.js";

let kernel: TestKernel;
let suite = "";
beforeAll(() => {
  kernel = bundleTestKernel();
  suite = mkdtempSync(join(tmpdir(), "trilm-suite-"));
  const w = Float32Array.from({ length: 2 * 256 }, (_, i) => ((i * 5) % 3) - 1);
  const x = Float32Array.from({ length: 256 }, (_, i) => Math.cos(i));
  mkdirSync(join(suite, "tc0001"));
  writeFileSync(join(suite, "tc0001/weight.bin"), quantizeRow(GgmlType.TQ1_0, w));
  writeFileSync(join(suite, "tc0001/x.npy"), serializeNpy({ dtype: "<f4", shape: [1, 256], data: x }));
  writeFileSync(join(suite, "tc0001/w.npy"), serializeNpy({ dtype: "<f4", shape: [2, 256], data: w }));
  const file = (name: string) => ({ file: name, sha256: "", shape: [], dtype: "float32" });
  writeFileSync(
    join(suite, "manifest.json"),
    JSON.stringify({
      testGroups: [
        {
          op: "matmul",
          format: "tq1_0",
          params: { rows: 2, cols: 256, batch: 1, activations: "ggml" },
          tests: [
            {
              tcId: 1,
              comment: "",
              flags: [],
              result: "valid",
              files: { weight: file("tc0001/weight.bin"), x: file("tc0001/x.npy"), y: file("tc0001/y.npy") },
            },
          ],
        },
        {
          op: "quantize",
          format: "tq1_0",
          params: { rows: 2, cols: 256 },
          tests: [
            { tcId: 2, result: "valid", files: { w: file("tc0001/w.npy") } },
            { tcId: 3, result: "invalid", files: {} },
          ],
        },
        {
          op: "quantize",
          format: "q8_K",
          params: { rows: 2, cols: 256 },
          tests: [{ tcId: 4, result: "valid", files: { w: file("tc0001/w.npy") } }],
        },
        { op: "rmsnorm", format: "f32", params: {}, tests: [{ tcId: 5, result: "valid", files: {} }] },
        {
          op: "dequantize",
          format: "tq2_0",
          params: { rows: 2, cols: 256 },
          tests: [{ tcId: 6, result: "valid", files: {} }],
        },
      ],
    }),
  );
});
afterAll(() => {
  kernel.dispose();
  rmSync(suite, { recursive: true, force: true });
});

describe("builtinCases", () => {
  it("is deterministic in the seed and covers the shapes and edge scales", () => {
    const a = builtinCases("matmul", "tq2_0", { seed: 9 });
    expect(builtinCases("matmul", "tq2_0", { seed: 9 })).toEqual(a);
    expect(builtinCases("matmul", "tq2_0", { seed: 10 })).not.toEqual(a);
    expect(a.map((c) => c.label)).toContain("matmul-tq2_0-1x1-block-ggml");
    expect(a.filter((c) => c.activations === "f32")).toHaveLength(a.length / 2);
    expect(a.some((c) => c.batch > 1 && c.rows > 1 && c.cols > 256)).toBe(true);
    for (const c of a) requireConsistentCase(c);
    expect(
      builtinCases("matmul", "tq1_0", { seed: 1, activations: "ggml" }).every((c) => c.activations === "ggml"),
    ).toBe(true);
    const q = builtinCases("quantize", "tq1_0", { seed: 1 });
    expect(q.every((c) => c.batch === 1 && c.w !== undefined)).toBe(true);
    expect(q.map((c) => c.label)).toEqual(
      expect.arrayContaining([
        "quantize-tq1_0-zero-block",
        "quantize-tq1_0-subnormal-scale",
        "quantize-tq1_0-large-scale",
      ]),
    );
  });
});

describe("suiteCases", () => {
  it("takes the kernel groups of a manifest and skips what it cannot run", () => {
    const entries = suiteCases(suite);
    expect(entries.map((e) => e.label)).toEqual(["tc1", "tc2", "tc3", "tc4", "tc6"]);
    expect(entries[0]).toMatchObject({
      kernelCase: { op: "matmul", rows: 2, cols: 256, batch: 1, activations: "ggml" },
    });
    // only a matmul's activations mean anything: other ops say f32, as built-in cases do
    expect(entries.find((e) => e.label === "tc2")).toMatchObject({
      kernelCase: { op: "quantize", activations: "f32" },
    });
    expect(entries[2]).toEqual({ label: "tc3", skipped: "result is invalid" });
    expect(entries[3]).toMatchObject({ kernelCase: { op: "quantize", format: "q8_K", rows: 2, cols: 256 } });
    expect(entries[4]).toMatchObject({ skipped: "no 'weight' file" });
    expect(suiteCases(suite, { op: "quantize" }).map((e) => e.label)).toEqual(["tc2", "tc3", "tc4"]);
    expect(suiteCases(suite, { format: "q8_K" }).map((e) => e.label)).toEqual(["tc4"]);
  });
  it("refuses a directory without a manifest", () => {
    expect(() => suiteCases(join(suite, "tc0001"))).toThrow(InputError);
  });
  it("runs a kernel over a suite", async () => {
    const seen: CheckResult[] = [];
    const results = await runCheck(kernel.command("correct"), suiteCases(suite), {
      timeoutS: 20,
      onResult: (r) => seen.push(r),
    });
    expect(results.map((r) => r.verdict?.passed ?? r.skipped)).toEqual([
      true,
      true,
      "result is invalid",
      true,
      "no 'weight' file",
    ]);
    expect(seen).toEqual(results);
  }, 30_000);
});

describe("report rows", () => {
  it("show the worst element's stored position", () => {
    expect(
      worstElementCell({ index: 3, batch: 1, row: 2, col: 300, block: 1, byte: 12, bit: 2, expected: 1, actual: 2 }),
    ).toBe("b1 r2 c300 block 1 byte 12 bit 2");
    expect(
      checkRowCells({
        label: "t",
        verdict: { passed: false, reason: "why", maxAbsError: 0.5, nmse: 0.25, nonFinite: 2 },
      }),
    ).toEqual(["t", "FAIL", "0.5000", "0.2500", "2", "-", "why"]);
  });
  it("count an unsupported case or a test not run as SKIP, neither passed nor failed", () => {
    const results: CheckResult[] = [
      { label: "a", verdict: { passed: true, maxAbsError: 0, nmse: 0, nonFinite: 0 } },
      { label: "b", verdict: { passed: false, reason: "off" } },
      { label: "c", verdict: unsupportedVerdict("unsupported (exit status 3: no tq1_0)") },
      { label: "d", skipped: "result is invalid" },
    ];
    expect(results.map(checkStatus)).toEqual(["PASS", "FAIL", "SKIP", "SKIP"]);
    expect(checkRowCells(results[2])).toEqual([
      "c",
      "SKIP",
      "-",
      "-",
      "-",
      "-",
      "unsupported (exit status 3: no tq1_0)",
    ]);
    expect(checkSummaryLine(summarizeCheck(results))).toBe("1 passed, 1 failed, 2 skipped");
  });
});
