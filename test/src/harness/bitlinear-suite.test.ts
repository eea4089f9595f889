import { describe, expect, test } from "vitest";
import { bitlinearSuiteCases } from "../../../src/harness/bitlinear-suite.js";
import { judgeHfBitnetOutput, hfBitnetReference } from "../../../src/harness/hf-bitnet-judge.js";
import { repoFile } from "../cli/harness.js";

describe("bitlinearSuiteCases", () => {
  test("the checked-in suites' matmul tests as cases; codec tests counted", () => {
    const hf = bitlinearSuiteCases(repoFile("golden/suites/hf-bitnet/manifest.json"));
    expect(hf.hfBitnet.map((c) => [c.label, c.convention])).toEqual([
      ["hf-bitnet tc5", "multiply"],
      ["hf-bitnet tc6", "multiply"],
      ["hf-bitnet tc7", "multiply"],
      ["hf-bitnet tc8", "divide"],
      ["hf-bitnet tc9", "divide"],
      ["hf-bitnet tc10", "divide"],
    ]);
    expect(hf.codecTests).toBe(4);
    const reference = Float32Array.from(hfBitnetReference(hf.hfBitnet[0]), (o) => o.reference);
    expect(judgeHfBitnetOutput(hf.hfBitnet[0], new Uint8Array(reference.buffer)).passed).toBe(true);
    const w2 = bitlinearSuiteCases(repoFile("golden/suites/w2a8/manifest.json"));
    expect(w2.w2a8.map((c) => [c.n, c.k, c.m, c.wsNum])).toEqual([
      [48, 64, 3, 3],
      [48, 64, 3, 3],
      [48, 64, 3, 3],
      [16, 512, 1, 1],
    ]);
    expect(bitlinearSuiteCases(repoFile("golden/suites/trirun/manifest.json"))).toEqual({
      hfBitnet: [],
      w2a8: [],
      codecTests: 0,
    });
  });
});
