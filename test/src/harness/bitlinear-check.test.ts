import { describe, expect, test } from "vitest";
import {
  savedBitlinearFormat,
  runBitlinearFormatCheck,
  fuzzBitlinearKernel,
} from "../../../src/harness/bitlinear-check.js";
import { writeHfBitnetCaseDir } from "../../../src/harness/hf-bitnet-case.js";
import { hfBitnetBuiltinCases } from "../../../src/harness/hf-bitnet-cases.js";
import { writeW2a8CaseDir } from "../../../src/harness/w2a8-case.js";
import { w2a8BuiltinCases } from "../../../src/harness/w2a8-cases.js";
import { useTempDir } from "../cli/harness.js";

const temp = useTempDir();

describe("bitlinear-check", () => {
  test("savedBitlinearFormat tells the formats' case directories apart", () => {
    const hf = temp("hf");
    writeHfBitnetCaseDir(hf, hfBitnetBuiltinCases(1)[0]);
    const w2 = temp("w2");
    writeW2a8CaseDir(w2, w2a8BuiltinCases(1)[0]);
    expect([savedBitlinearFormat(hf), savedBitlinearFormat(w2)]).toEqual(["hf-bitnet", "w2a8"]);
  });

  test("a saved case runs alone, labelled by case.json; fuzzing a declining kernel reports it", async () => {
    const dir = temp("saved");
    writeHfBitnetCaseDir(dir, { ...hfBitnetBuiltinCases(1)[0], label: "mine" });
    const results = await runBitlinearFormatCheck("hf-bitnet", "sh -c 'exit 3' --", {
      seed: 1,
      timeoutS: 10,
      caseDir: dir,
    });
    expect(results.map((r) => [r.label, r.verdict?.unsupported])).toEqual([["mine", true]]);
    const fuzz = await fuzzBitlinearKernel("w2a8", "sh -c 'exit 3' --", { seed: 1, runs: 2, timeoutS: 10 });
    expect(fuzz).toMatchObject({ format: "w2a8", passed: false, numUnsupported: 2 });
  });
});
