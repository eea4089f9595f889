/**
 * The model suite's shipped logits rule (spec/golden.md §6.2; src/golden/acceptance.ts
 * acceptedByLogitsCriterion, mirrored by golden/verify_numpy.py): the tfjs-cpu backend's logits of the
 * embedded model pass the `f32` test in TypeScript and in numpy (skipped loudly without python3 + numpy);
 * logits off by 1 % (NMSE 10⁻⁴) fail both; on synthetic logits an argmax flip past the near-tie allowance fails
 * with NMSE ≤ τ while a near tie passes, in both.
 */

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { createBackendSession } from "../../../src/backend/backend-forward.js";
import { createBackend } from "../../../src/backend/registry.js";
import { acceptedByLogitsCriterion } from "../../../src/golden/acceptance.js";
import type { TestCase, TestGroup } from "../../../src/golden/manifest.js";
import { readManifest } from "../../../src/golden/verify.js";
import { parseNpy, serializeNpy } from "../../../src/io/npy.js";
import { embeddedModelPath } from "../../../src/model/embedded.js";
import { loadModel } from "../../../src/model/load-model.js";
import { repoFile } from "../cli/harness.js";
import { HAS_NUMPY } from "../../support/toolchain.js";

const SUITE = repoFile("golden/suites/model");
if (!HAS_NUMPY)
  console.warn("\n*** test/src/golden/acceptance.test.ts: numpy rule SKIPPED, no python3 with numpy ***\n");

const manifest = readManifest(join(SUITE, "manifest.json"));
const criterionGroups = manifest.testGroups.filter((g) => g.tolerance.kind === "logits-criterion");

/** The logits file of `test` as rows [positions][vocab]. */
function expectedRows(test: TestCase): Float32Array[] {
  const entry = test.files.logits;
  const array = parseNpy(new Uint8Array(readFileSync(join(SUITE, entry.file))), entry.file);
  if (array.dtype !== "<f4") throw new Error(`${entry.file}: not float32`);
  const [positions, vocab] = array.shape;
  return Array.from({ length: positions }, (_, p) =>
    Float32Array.from(array.data.subarray(p * vocab, (p + 1) * vocab)),
  );
}

/** golden/verify_numpy.py's verdict on `rows` written as the candidate's logits of `test`. */
function numpyAccepts(test: TestCase, rows: Float32Array[]): boolean {
  const dir = mkdtempSync(join(tmpdir(), "trilm-logits-rule-"));
  try {
    cpSync(SUITE, join(dir, "suite"), { recursive: true });
    const data = new Float32Array(rows.length * rows[0].length);
    rows.forEach((row, p) => data.set(row, p * row.length));
    const file = join(dir, "suite", test.files.logits.file);
    writeFileSync(file, serializeNpy({ dtype: "<f4", shape: [rows.length, rows[0].length], data }));
    const run = spawnSync("python3", [repoFile("golden/verify_numpy.py"), SUITE, join(dir, "suite")], {
      encoding: "utf8",
    });
    const line = run.stdout.split("\n").find((l) => l.includes(`tc${test.tcId} model`));
    if (line === undefined) throw new Error(`verify_numpy.py printed no line for tc${test.tcId}: ${run.stderr}`);
    return line.startsWith("PASS");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both rules' verdicts, which must agree; numpy's only where it is installed. */
function verdicts(group: TestGroup, test: TestCase, rows: Float32Array[]): boolean {
  const tau = group.tolerance.nmse;
  if (tau === undefined) throw new Error("a logits-criterion group without nmse");
  const ts = acceptedByLogitsCriterion(rows, expectedRows(test), tau);
  if (HAS_NUMPY) expect(numpyAccepts(test, rows), "numpy and TypeScript disagree").toBe(ts);
  return ts;
}

describe("the model suite's logits criterion as data (spec/golden.md §6.2)", () => {
  const backends: { dispose(): void }[] = [];
  afterAll(() => backends.forEach((b) => b.dispose()));

  test("exactly the f32 model group carries it, with τ = 1e-6", () => {
    expect(criterionGroups.map((g) => [g.op, g.params.activations, g.tolerance.nmse])).toEqual([
      ["model", "f32", 1e-6],
    ]);
  });

  test("tfjs-cpu's logits pass; logits 1 % off fail (TypeScript and numpy)", async () => {
    const [group] = criterionGroups;
    const [test] = group.tests;
    const model = loadModel(embeddedModelPath());
    const backend = await createBackend("tfjs-cpu");
    backends.push(backend);
    const session = createBackendSession(model.config, model.weights, backend, { activations: "f32", kvCache: "f32" });
    const tokens = group.params.tokens as number[];
    const logits = session.run(tokens, 0);
    session.dispose();
    const expected = expectedRows(test);
    expect(
      logits.some((row, p) => row.some((v, j) => v !== expected[p][j])),
      "tfjs-cpu differs in some bits",
    ).toBe(true);
    expect(verdicts(group, test, logits)).toBe(true);
    expect(verdicts(group, test, expected)).toBe(true);

    expect(
      verdicts(
        group,
        test,
        logits.map((row) => row.map((v) => v * 1.01)),
      ),
    ).toBe(false);
  }, 60_000);

  test("the argmax rule on its own: a flip past the near-tie allowance fails with NMSE ≤ τ, a near tie passes", () => {
    // w: 2 positions × 8; τ = 10⁻²: allowance 2·√(τ·mean w²) = 0.95 at position 0, whose gap is 1.0
    const w = [Float32Array.of(10, 9, 0, 0, 0, 0, 0, 0), Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8)];
    const tau = 1e-2;
    const flipped = [Float32Array.of(10, 10.5, 0, 0, 0, 0, 0, 0), w[1]]; // NMSE 2.25/362 < τ, argmax moved
    const nearTie = [Float32Array.of(10, 9, 0, 0, 0, 0, 0, 0), Float32Array.of(1, 2, 3, 4, 5, 6, 8.5, 8)];
    expect(acceptedByLogitsCriterion(w, w, tau)).toBe(true);
    expect(acceptedByLogitsCriterion(flipped, w, tau)).toBe(false);
    expect(acceptedByLogitsCriterion(nearTie, w, tau)).toBe(true); // gap 1 ≤ 2·√(τ·25.5) = 1.01
    expect(acceptedByLogitsCriterion([Float32Array.of(NaN, 9, 0, 0, 0, 0, 0, 0), w[1]], w, tau)).toBe(false);
    if (!HAS_NUMPY) return;
    const dir = mkdtempSync(join(tmpdir(), "trilm-logits-synthetic-"));
    try {
      const logitsFile = (rows: Float32Array[]): Uint8Array => {
        const data = new Float32Array(16);
        rows.forEach((row, p) => data.set(row, p * 8));
        return serializeNpy({ dtype: "<f4", shape: [2, 8], data });
      };
      const entry = { file: "tc0001/logits.npy", sha256: "", shape: [2, 8], dtype: "float32" };
      const tolerance = { kind: "logits-criterion", description: "synthetic", spec: "spec/golden.md §6.2", nmse: tau };
      const test = { tcId: 1, comment: "", flags: [], result: "valid", files: { logits: entry } };
      const group = {
        op: "model",
        format: "tq2_0",
        params: {},
        inputs: [],
        outputs: ["logits"],
        tolerance,
        tests: [test],
      };
      const verdict = (rows: Float32Array[]): string => {
        for (const sub of ["suite", "out"]) cpSync(join(dir, "empty"), join(dir, sub), { recursive: true });
        writeFileSync(join(dir, "suite/manifest.json"), JSON.stringify({ suite: "synthetic", testGroups: [group] }));
        writeFileSync(join(dir, "suite/tc0001/logits.npy"), logitsFile(w));
        writeFileSync(join(dir, "out/tc0001/logits.npy"), logitsFile(rows));
        const run = spawnSync("python3", [repoFile("golden/verify_numpy.py"), join(dir, "suite"), join(dir, "out")], {
          encoding: "utf8",
        });
        return run.stdout.split("\n")[0].split(" ")[0];
      };
      mkdirSync(join(dir, "empty/tc0001"), { recursive: true });
      expect([w, flipped, nearTie].map(verdict)).toEqual(["PASS", "FAIL", "PASS"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
