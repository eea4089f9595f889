import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readW2a8CaseDir, writeW2a8CaseDir } from "../../../src/harness/w2a8-case.js";
import { w2a8BuiltinCases } from "../../../src/harness/w2a8-cases.js";
import { useTempDir } from "../cli/harness.js";

const temp = useTempDir();

describe("w2a8 case directories", () => {
  test("every built-in case round-trips through its directory", () => {
    for (const [i, kernelCase] of w2a8BuiltinCases(1).entries()) {
      const dir = temp(`case-${i}`);
      writeW2a8CaseDir(dir, kernelCase);
      expect(readW2a8CaseDir(dir)).toEqual(kernelCase);
    }
  });

  test("the files' sizes; code 0 in weight.bin and a ws_num that does not divide n are refused", () => {
    const dir = temp("fixed");
    const kernelCase = w2a8BuiltinCases(1)[2]; // 48 x 96, ws_num 3
    writeW2a8CaseDir(dir, kernelCase);
    expect(readFileSync(join(dir, "weight.bin")).length).toBe((48 * 96) / 4);
    expect(readFileSync(join(dir, "ws.bin")).length).toBe(8);
    expect(readFileSync(join(dir, "s.bin")).length).toBe(2);
    writeFileSync(join(dir, "weight.bin"), new Uint8Array((48 * 96) / 4));
    expect(() => readW2a8CaseDir(dir)).toThrow(/weight\.bin: byte 0 crumb 0 holds code 0/);
    const path = join(dir, "case.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"ws_num": 3', '"ws_num": 5'));
    expect(() => readW2a8CaseDir(dir)).toThrow(/case\.json: ws_num = 5 is not a positive divisor of n = 48/);
  });
});
