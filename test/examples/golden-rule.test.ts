/**
 * The golden matmul suite's shipped rule (y_bound.npy and its centre, spec/golden.md §6.1) decides as
 * `trilm check` does: the example C kernels run on every matmul case, their outputs judged three ways —
 * the harness's judge, the rule in TypeScript from the data files alone (acceptedByBound), and
 * golden/verify_numpy.py (skipped loudly without python3 + numpy). The correct kernel passes every
 * case, each buggy one fails some; ggml's own outputs (golden/external/ggml/matmul) pass every ggml case
 * and are the suite's y.npy byte for byte.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { acceptedByBound } from "../../src/golden/acceptance.js";
import { readManifest } from "../../src/golden/verify.js";
import { suiteCases } from "../../src/harness/check.js";
import { judgeCase } from "../../src/harness/judge.js";
import { runKernelOnCase } from "../../src/harness/run-kernel.js";
import { parseNpy } from "../../src/io/npy.js";
import { repoFile } from "../src/cli/harness.js";
import { HAS_CC, HAS_NUMPY } from "../support/toolchain.js";

const SUITE = repoFile("golden/suites/matmul");
const KERNELS = ["tq2_0_matmul", "bug_layout", "bug_scale", "bug_accumulate"] as const;
if (!HAS_CC) console.warn("\n*** test/examples/golden-rule.test.ts: SKIPPED, no C compiler `cc` on PATH ***\n");
if (!HAS_NUMPY)
  console.warn("\n*** test/examples/golden-rule.test.ts: numpy rule SKIPPED, no python3 with numpy ***\n");

/** A float .npy file's elements. */
function npy(path: string): Float32Array | Float64Array {
  const array = parseNpy(new Uint8Array(readFileSync(path)), path);
  if (array.dtype !== "<f4" && array.dtype !== "<f8") throw new Error(`${path}: not float`);
  return array.data;
}

/** Per matmul test whose y file (the manifest's name) is under `dir`: the TS data rule's verdict on it. */
function dataRuleVerdicts(dir: string): Map<string, boolean> {
  const verdicts = new Map<string, boolean>();
  for (const group of readManifest(join(SUITE, "manifest.json")).testGroups) {
    const rule = group.tolerance.bounds?.y;
    if (group.op !== "matmul" || rule === undefined) continue;
    for (const t of group.tests) {
      if (!existsSync(join(dir, t.files.y.file))) continue;
      const y = npy(join(dir, t.files.y.file));
      const center = npy(join(SUITE, t.files[rule.center].file));
      const bound = npy(join(SUITE, t.files[rule.bound].file));
      verdicts.set(
        `tc${t.tcId}`,
        y.length === center.length && y.every((v, i) => acceptedByBound(v, center[i], bound[i])),
      );
    }
  }
  return verdicts;
}

/** golden/verify_numpy.py's verdict per test on the outputs under `dir`. */
function numpyVerdicts(dir: string): Map<string, boolean> {
  const run = spawnSync("python3", [repoFile("golden/verify_numpy.py"), SUITE, dir], { encoding: "utf8" });
  return new Map([...run.stdout.matchAll(/^(PASS|FAIL) (tc\d+) /gm)].map((m) => [m[2], m[1] === "PASS"]));
}

describe.skipIf(!HAS_CC)("the golden matmul suite's shipped rule agrees with trilm check", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trilm-golden-rule-"));
    for (const name of KERNELS)
      execFileSync("cc", ["-O2", "-o", join(dir, name), repoFile(`examples/kernels/${name}.c`), "-lm"]);
  });
  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  test.each(KERNELS)(
    "%s: the judge, the TS data rule and the numpy rule give the same verdict on every case",
    async (name) => {
      const out = join(dir, `${name}-out`);
      const judged = new Map<string, boolean>();
      for (const entry of suiteCases(SUITE)) {
        if (!("kernelCase" in entry)) throw new Error(`${entry.label}: ${entry.skipped}`);
        const caseDir = join(out, `tc${entry.label.slice(2).padStart(4, "0")}`);
        mkdirSync(caseDir, { recursive: true });
        const verdict = await runKernelOnCase(join(dir, name), entry.kernelCase, { timeoutS: 30, keepDir: caseDir });
        if (verdict.unsupported === true) continue; // the bug_ kernels take tq2_0 only
        if (!existsSync(join(caseDir, "y.npy"))) throw new Error(`${entry.label}: ${verdict.reason}`);
        const again = judgeCase(
          entry.kernelCase,
          new Map([["y", new Uint8Array(readFileSync(join(caseDir, "y.npy")))]]),
        );
        expect(again.passed, entry.label).toBe(verdict.passed);
        judged.set(entry.label, verdict.passed);
      }
      expect(judged.size).toBeGreaterThanOrEqual(14);
      expect(dataRuleVerdicts(out)).toEqual(judged);
      if (HAS_NUMPY) expect(new Map([...numpyVerdicts(out)].filter(([label]) => judged.has(label)))).toEqual(judged);
      const passed = [...judged.values()].filter(Boolean).length;
      if (name === "tq2_0_matmul") expect([passed, judged.size]).toEqual([suiteCases(SUITE).length, passed]);
      else expect(passed).toBeLessThan(judged.size);
    },
  );
});

describe("ggml's own outputs (golden/external/ggml/matmul; provenance in golden/external/ggml/PROVENANCE.md)", () => {
  const GGML = repoFile("golden/external/ggml/matmul");
  /** The suite's matmul tests with ggml activations, by label: the tests ggml's outputs answer. */
  const ggmlTests = new Map(
    readManifest(join(SUITE, "manifest.json"))
      .testGroups.filter((group) => group.op === "matmul" && group.params.activations === "ggml")
      .flatMap((group) => group.tests.map((t) => [`tc${t.tcId}`, t.files.y.file] as const)),
  );

  test("pass the shipped rule on every ggml-activation case, in TypeScript and in numpy", () => {
    const verdicts = dataRuleVerdicts(GGML);
    expect([...verdicts.keys()]).toEqual([...ggmlTests.keys()]);
    expect([...verdicts].filter(([, ok]) => !ok)).toEqual([]);
    if (HAS_NUMPY) expect(new Map([...numpyVerdicts(GGML)].filter(([label]) => verdicts.has(label)))).toEqual(verdicts);
  });

  test("are the suite's y.npy byte for byte (its ggml groups state that y is ggml's AVX2 result)", () => {
    expect(ggmlTests.size).toBeGreaterThanOrEqual(18);
    for (const [label, file] of ggmlTests)
      expect(Buffer.compare(readFileSync(join(GGML, file)), readFileSync(join(SUITE, file))), label).toBe(0);
  });
});
