import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readHfBitnetCaseDir, writeHfBitnetCaseDir } from "../../../src/harness/hf-bitnet-case.js";
import { hfBitnetBuiltinCases } from "../../../src/harness/hf-bitnet-cases.js";
import { useTempDir } from "../cli/harness.js";

const temp = useTempDir();

describe("hf-bitnet case directories", () => {
  test("every built-in case round-trips through its directory", () => {
    for (const [i, kernelCase] of hfBitnetBuiltinCases(1).entries()) {
      const dir = temp(`case-${i}`);
      writeHfBitnetCaseDir(dir, kernelCase);
      expect(readHfBitnetCaseDir(dir)).toEqual(kernelCase);
    }
  });

  test("case.json and weight.bin as the protocol fixes them; a code 3 is refused naming the file", () => {
    const dir = temp("fixed");
    const kernelCase = hfBitnetBuiltinCases(1)[0];
    writeHfBitnetCaseDir(dir, kernelCase);
    const json = JSON.parse(readFileSync(join(dir, "case.json"), "utf8"));
    expect(json).toMatchObject({ format: "hf-bitnet", activations: "int8-per-token", scale: "multiply" });
    expect(json.shape).toEqual({ rows: 16, cols: 64, batch: 1 });
    expect(readFileSync(join(dir, "weight.bin")).length).toBe(4 * 64);
    writeFileSync(join(dir, "weight.bin"), new Uint8Array(4 * 64).fill(0xff));
    expect(() => readHfBitnetCaseDir(dir)).toThrow(/weight\.bin: code 3 \(unpacks to \+2, not ternary\) at W\[0, 0\]/);
  });

  test("a scale convention other than multiply or divide is refused", () => {
    const dir = temp("scale");
    writeHfBitnetCaseDir(dir, hfBitnetBuiltinCases(1)[0]);
    const path = join(dir, "case.json");
    writeFileSync(path, readFileSync(path, "utf8").replace('"multiply"', '"guess"'));
    expect(() => readHfBitnetCaseDir(dir)).toThrow(/case\.json: scale must be "multiply" or "divide", got "guess"/);
  });
});
