import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GgmlType, quantizeRow } from "../../../reference/codec/index.js";
import { InputError } from "../../../src/errors.js";
import { readCaseDir, writeCaseDir } from "../../../src/harness/case-dir.js";
import type { KernelCase } from "../../../src/harness/protocol.js";
import { parseNpy } from "../../../src/io/npy.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "trilm-casedir-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const w = Float32Array.from({ length: 2 * 512 }, (_, i) => ((i * 7) % 3) - 1);
const x = Float32Array.from({ length: 3 * 512 }, (_, i) => Math.sin(i));
const matmul: KernelCase = {
  op: "matmul",
  format: "tq2_0",
  rows: 2,
  cols: 512,
  batch: 3,
  activations: "ggml",
  weight: quantizeRow(GgmlType.TQ2_0, w),
  x,
  label: "m1",
};

describe("case directories", () => {
  it("write and read back a matmul case: weight.bin is the raw blocks, x.npy float32 [B, C]", () => {
    writeCaseDir(dir, matmul);
    expect(new Uint8Array(readFileSync(join(dir, "weight.bin")))).toEqual(matmul.weight);
    const xs = parseNpy(new Uint8Array(readFileSync(join(dir, "x.npy"))), "x.npy");
    expect(xs.shape).toEqual([3, 512]);
    expect(JSON.parse(readFileSync(join(dir, "case.json"), "utf8")).shape).toEqual({ rows: 2, cols: 512, batch: 3 });
    expect(readCaseDir(dir)).toEqual(matmul);
  });

  it("round-trips quantize and dequantize cases", () => {
    const q: KernelCase = { op: "quantize", format: "tq1_0", rows: 2, cols: 512, batch: 1, activations: "f32", w };
    writeCaseDir(dir, q);
    expect(readCaseDir(dir)).toEqual(q);
    const d: KernelCase = {
      op: "dequantize",
      format: "tq1_0",
      rows: 2,
      cols: 512,
      batch: 1,
      activations: "f32",
      weight: quantizeRow(GgmlType.TQ1_0, w),
    };
    writeCaseDir(join(dir, "d"), d);
    expect(readCaseDir(join(dir, "d"))).toEqual(d);
  });

  it("refuses an inconsistent case when writing", () => {
    expect(() => writeCaseDir(dir, { ...matmul, x: undefined })).toThrow(/needs input x/);
    expect(() => writeCaseDir(dir, { ...matmul, rows: 3 })).toThrow(/weight has/);
  });

  it("reports a missing or malformed file as an InputError naming it", () => {
    expect(() => readCaseDir(dir)).toThrow(InputError);
    writeCaseDir(dir, matmul);
    writeFileSync(join(dir, "weight.bin"), new Uint8Array(10));
    expect(() => readCaseDir(dir)).toThrow(/weight.bin: is 10 bytes/);
    writeFileSync(join(dir, "case.json"), "{}");
    expect(() => readCaseDir(dir)).toThrow(/case.json: protocol must be 1/);
  });
});
