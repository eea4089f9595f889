/**
 * TriRun-format case directories (spec/kernel-protocol.md §11.1): written with B/s both raw and as .npy,
 * read back to the same case, refused with the file named when anything disagrees.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { packTrirun } from "../../../reference/codec/trirun.js";
import { writeCaseDir } from "../../../src/harness/case-dir.js";
import { parseNpy } from "../../../src/io/npy.js";
import {
  readTrirunCaseDir,
  trirunCaseJsonIn,
  trirunCaseProblem,
  writeTrirunCaseDir,
} from "../../../src/harness/trirun-case.js";
import { randomTrirunCase } from "../../../src/harness/trirun-cases.js";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "trilm-trirun-case-test-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("TriRun-format case directories", () => {
  for (const groupSize of [-1, 128] as const) {
    test(`group size ${groupSize}: case.json, B.bin = B.npy = packTrirun's B, s likewise, and the case reads back`, () => {
      const kernelCase = randomTrirunCase("roundtrip", { k: 256, n: 512, m: 3, groupSize }, 7);
      const dir = tempDir();
      writeTrirunCaseDir(dir, kernelCase);
      const json = JSON.parse(readFileSync(join(dir, "case.json"), "utf8"));
      expect(json).toEqual({
        protocol: 1,
        op: "matmul",
        format: "trirun",
        shape: { rows: 512, cols: 256, batch: 3 },
        group_size: groupSize,
        activations: "f16",
        inputs: { B: "B.bin", s: "s.bin", B_npy: "B.npy", s_npy: "s.npy", x: "x.npy" },
        outputs: { y: "y.npy" },
        label: "roundtrip",
      });
      const packed = packTrirun(kernelCase.weights);
      const B = parseNpy(new Uint8Array(readFileSync(join(dir, "B.npy"))), "B.npy");
      expect([B.dtype, B.shape]).toEqual(["<i4", [16, 512]]);
      expect(Array.from(B.data)).toEqual(Array.from(packed.B));
      expect(new Uint8Array(readFileSync(join(dir, "B.bin")))).toEqual(new Uint8Array(packed.B.buffer));
      const s = parseNpy(new Uint8Array(readFileSync(join(dir, "s.npy"))), "s.npy");
      expect([s.dtype, s.shape]).toEqual(["<f2", [groupSize === -1 ? 1 : 2, 512]]);
      expect(new Uint8Array(readFileSync(join(dir, "s.bin")))).toEqual(new Uint8Array(packed.s.buffer));
      const x = parseNpy(new Uint8Array(readFileSync(join(dir, "x.npy"))), "x.npy");
      expect([x.dtype, x.shape]).toEqual(["<f2", [3, 256]]);
      const back = readTrirunCaseDir(dir);
      expect(back.m).toBe(3);
      expect(back.label).toBe("roundtrip");
      expect(back.weights).toEqual(kernelCase.weights);
      expect(back.x).toEqual(kernelCase.x);
    });
  }

  test("a TQ case directory is not a TriRun one; an inconsistent case is refused before writing", () => {
    const dir = tempDir();
    writeCaseDir(dir, {
      op: "dequantize",
      format: "tq2_0",
      rows: 1,
      cols: 256,
      batch: 1,
      activations: "f32",
      weight: new Uint8Array(66),
    });
    expect(trirunCaseJsonIn(dir)).toBeUndefined();
    const bad = randomTrirunCase("bad", { k: 128, n: 256, m: 2, groupSize: -1 }, 1);
    expect(trirunCaseProblem({ ...bad, m: 1 })).toBe("x has 256 entries, m·k = 128");
    expect(() => writeTrirunCaseDir(tempDir(), { ...bad, weights: { ...bad.weights, n: 128 } })).toThrow(
      /n = 128 must be a positive multiple of 256/,
    );
  });

  test("malformed directories: the file and the problem are named", () => {
    const dir = tempDir();
    writeTrirunCaseDir(dir, randomTrirunCase("m", { k: 128, n: 256, m: 1, groupSize: 128 }, 2));
    const caseJson = join(dir, "case.json");
    const original = readFileSync(caseJson, "utf8");
    writeFileSync(caseJson, original.replace('"group_size": 128', '"group_size": 64'));
    expect(() => readTrirunCaseDir(dir)).toThrow(/case\.json.*group_size must be -1 or 128, got 64/);
    writeFileSync(caseJson, original.replace('"activations": "f16"', '"activations": "f32"'));
    expect(() => readTrirunCaseDir(dir)).toThrow(/activations must be f16/);
    writeFileSync(caseJson, original.replace('"cols": 128', '"cols": 100'));
    expect(() => readTrirunCaseDir(dir)).toThrow(/k = 100 must be a positive multiple of 128/);
    writeFileSync(caseJson, original);
    const bin = readFileSync(join(dir, "B.bin"));
    bin[5] ^= 1;
    writeFileSync(join(dir, "B.bin"), bin);
    expect(() => readTrirunCaseDir(dir)).toThrow(/B\.bin.*differs from its \.npy copy/);
    writeFileSync(join(dir, "B.bin"), bin.subarray(4));
    expect(() => readTrirunCaseDir(dir)).toThrow(/B\.bin.*is 8188 bytes, expected 8192/);
  });
});
