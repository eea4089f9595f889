/**
 * I2_S-format case directories (spec/kernel-protocol.md §12.1): written and read back unchanged in every layout, with
 * W.bin the I2_S tensor bytes and q / act_scale / act_sum quantize_row_i8_s of x; malformed directories are refused
 * with the file named.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { i2sTensorBytes, unpackI2s } from "../../../reference/codec/i2_s.js";
import { quantizeRowI8s } from "../../../reference/codec/i8_s.js";
import {
  i2sCaseJsonIn,
  i2sCaseProblem,
  i2sKernelInputOf,
  parseI2sCaseJson,
  readI2sCaseDir,
  writeI2sCaseDir,
  I2S_FILES,
} from "../../../src/harness/i2s-case.js";
import { randomI2sCase } from "../../../src/harness/i2s-cases.js";
import { parseNpy } from "../../../src/io/npy.js";
import { useTempDir } from "../cli/harness.js";

const temp = useTempDir();

describe("I2_S case directories", () => {
  for (const layout of ["x86", "arm", "1x4"] as const) {
    test(`${layout}: written and read back unchanged; W.bin is the packed tensor, q the I8_S rows`, () => {
      const kernelCase = randomI2sCase("rt", { layout, n: 8, k: 256, m: 3 }, 5);
      const dir = temp("case");
      writeI2sCaseDir(dir, kernelCase);
      const back = readI2sCaseDir(dir);
      expect(back).toEqual({ ...kernelCase, label: "rt" });
      const bytes = new Uint8Array(readFileSync(join(dir, I2S_FILES.W)));
      expect(bytes.length).toBe(i2sTensorBytes({ rows: 8, cols: 256 }));
      expect(unpackI2s(layout, { rows: 8, cols: 256 }, bytes).codes).toEqual(kernelCase.codes);
      const q = parseNpy(new Uint8Array(readFileSync(join(dir, I2S_FILES.q))), "q.npy");
      expect(q.dtype).toBe("|i1");
      expect(Array.from(q.data.subarray(256, 512))).toEqual(
        Array.from(quantizeRowI8s(kernelCase.x.subarray(256, 512)).q),
      );
      expect(i2sCaseJsonIn(dir)).toMatchObject({ format: "i2_s", layout, shape: { rows: 8, cols: 256, batch: 3 } });
      expect(i2sKernelInputOf(kernelCase).actSum[2]).toBe(quantizeRowI8s(kernelCase.x.subarray(512)).sum);
    });
  }

  test("inconsistent cases are refused: shape the layout cannot store, code 3, lengths", () => {
    const good = randomI2sCase("c", { layout: "x86", n: 4, k: 128, m: 1 }, 1);
    expect(i2sCaseProblem(good)).toBeUndefined();
    expect(i2sCaseProblem({ ...good, n: 1, k: 100, codes: new Uint8Array(100), x: new Float32Array(100) })).toMatch(
      /does not store all 1×100 weights/,
    );
    expect(i2sCaseProblem({ ...good, layout: "1x4", n: 2, codes: new Uint8Array(256) })).toMatch(/rows % 4 = 0/);
    const codes = good.codes.slice();
    codes[130] = 3;
    expect(i2sCaseProblem({ ...good, codes })).toMatch(/code 3 at row 1, col 2/);
    expect(i2sCaseProblem({ ...good, x: new Float32Array(3) })).toMatch(/x has 3 entries/);
    expect(() => writeI2sCaseDir(temp("bad"), { ...good, m: 0 })).toThrow(/m must be a positive integer/);
  });

  test("case.json and files that do not match are refused naming the file", () => {
    const dir = temp("case");
    writeI2sCaseDir(dir, randomI2sCase("c", { layout: "arm", n: 4, k: 128, m: 2 }, 2));
    const json = JSON.parse(readFileSync(join(dir, "case.json"), "utf8")) as Record<string, unknown>;
    expect(() => parseI2sCaseJson({ ...json, layout: "avx" })).toThrow(/layout must be one of x86, arm, 1x4/);
    expect(() => parseI2sCaseJson({ ...json, activations: "f32" })).toThrow(/activations must be i8_s/);
    expect(() => parseI2sCaseJson({ ...json, inputs: {} })).toThrow(/inputs must be/);
    const sums = join(dir, I2S_FILES.act_sum);
    const data = new Uint8Array(readFileSync(sums));
    data[data.length - 4] ^= 1;
    writeFileSync(sums, data);
    expect(() => readI2sCaseDir(dir)).toThrow(/act_sum\.npy: row 1 is .*Σ q =/);
    writeFileSync(join(dir, I2S_FILES.W), new Uint8Array(10));
    expect(() => readI2sCaseDir(dir)).toThrow(/W\.bin: .*10 bytes/);
  });
});
