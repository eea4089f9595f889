/**
 * The ops suite's shipped rule (y_bound.npy centred on y.npy, spec/golden.md §6.1; src/golden/op-bounds.ts):
 * the reference backend's and the tfjs-cpu backend's op outputs pass every `f32` ops test through the rule in
 * TypeScript from the data files alone (acceptedByBound) and through golden/verify_numpy.py (skipped loudly
 * without python3 + numpy); one element moved by twice its bound fails both; a tampered bound fails verify.
 */

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Backend } from "../../../src/backend/backend.js";
import { createBackend } from "../../../src/backend/registry.js";
import { acceptedByBound } from "../../../src/golden/acceptance.js";
import { sha256Hex } from "../../../src/golden/tensor.js";
import { readManifest, verifySuite } from "../../../src/golden/verify.js";
import type { TestCase, TestGroup } from "../../../src/golden/manifest.js";
import { parseNpy } from "../../../src/io/npy.js";
import { repoFile, writeNpy } from "../cli/harness.js";
import { HAS_NUMPY } from "../../support/toolchain.js";

const SUITE = repoFile("golden/suites/ops");
if (!HAS_NUMPY)
  console.warn("\n*** test/src/golden/op-bounds.test.ts: numpy rule SKIPPED, no python3 with numpy ***\n");

/** A float .npy file of the suite, by its manifest name. */
function npy(file: string): Float32Array | Float64Array {
  const path = join(SUITE, file);
  const array = parseNpy(new Uint8Array(readFileSync(path)), path);
  if (array.dtype !== "<f4" && array.dtype !== "<f8") throw new Error(`${path}: not float`);
  return array.data;
}

function f32(test: TestCase, role: string): Float32Array {
  return Float32Array.from(npy(test.files[role].file));
}

/** The ops suite's groups that ship a bound, each with its one test. */
const bounded = readManifest(join(SUITE, "manifest.json"))
  .testGroups.filter((group) => group.tolerance.kind === "elementwise-bound")
  .flatMap((group) => group.tests.map((test) => ({ group, test })));

/** The backend's output for a test, from the test's input files. */
function runOp(backend: Backend, group: TestGroup, test: TestCase): Float32Array {
  const n = (name: string): number => group.params[name] as number;
  switch (group.op) {
    case "rmsnorm":
      return backend.rmsNorm(f32(test, "x"), f32(test, "gamma"), n("eps"), n("batch"));
    case "rope": {
      const x = f32(test, "x");
      const style = group.params.style as "adjacent" | "rotate-half";
      backend.rope(x, n("headDim"), n("ropeDim"), n("theta"), style, group.params.positions as number[]);
      return x;
    }
    case "attention": {
      const positions = Array.from({ length: n("seqLen") }, (_, s) => s);
      const shape = { nHeads: n("nHeads"), nKvHeads: n("nKvHeads"), headDim: n("headDim") };
      return backend.attention(f32(test, "q"), f32(test, "k"), f32(test, "v"), positions, shape);
    }
    case "swiglu":
      return backend.swiglu(f32(test, "gate"), f32(test, "up"));
    default:
      throw new Error(`no bounded ${group.op} group expected`);
  }
}

/** The TS data rule's verdict on candidate y for a test. */
function dataRule(test: TestCase, y: Float32Array): boolean {
  const center = npy(test.files.y.file);
  const bound = npy(test.files.y_bound.file);
  return y.length === center.length && y.every((v, i) => acceptedByBound(v, center[i], bound[i]));
}

/** golden/verify_numpy.py's verdict per bounded test on candidate outputs (label → y). */
function numpyVerdicts(outputs: ReadonlyMap<string, { test: TestCase; y: Float32Array }>): Map<string, boolean> {
  const dir = mkdtempSync(join(tmpdir(), "trilm-ops-rule-"));
  try {
    for (const { test, y } of outputs.values()) {
      const path = join(dir, test.files.y.file);
      mkdirSync(dirname(path), { recursive: true });
      writeNpy(path, [...test.files.y.shape], y);
    }
    const run = spawnSync("python3", [repoFile("golden/verify_numpy.py"), SUITE, dir], { encoding: "utf8" });
    const all = new Map([...run.stdout.matchAll(/^(PASS|FAIL) (tc\d+) /gm)].map((m) => [m[2], m[1] === "PASS"]));
    return new Map([...all].filter(([label]) => outputs.has(label)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("every f32 ops group ships its bound, every ggml ops group stays bit-exact", () => {
  const groups = readManifest(join(SUITE, "manifest.json")).testGroups;
  for (const group of groups)
    expect(group.tolerance.kind, `${group.op} ${String(group.params.activations)}`).toBe(
      group.params.activations === "f32" ? "elementwise-bound" : "bit-exact",
    );
  expect(new Set(bounded.map(({ group }) => group.op))).toEqual(new Set(["rmsnorm", "rope", "attention", "swiglu"]));
});

describe.each(["reference", "tfjs-cpu"] as const)("the %s backend's op outputs", (name) => {
  let backend: Backend | undefined;
  const outputs = new Map<string, { test: TestCase; y: Float32Array }>();
  beforeAll(async () => {
    backend = await createBackend(name);
    for (const { group, test } of bounded) outputs.set(`tc${test.tcId}`, { test, y: runOp(backend, group, test) });
  }, 60_000);
  afterAll(() => backend?.dispose());

  test("pass the shipped ops bounds, in TypeScript and in numpy", () => {
    expect(outputs.size).toBe(15);
    const verdicts = new Map([...outputs].map(([label, { test, y }]) => [label, dataRule(test, y)]));
    expect([...verdicts].filter(([, ok]) => !ok)).toEqual([]);
    if (HAS_NUMPY) expect(numpyVerdicts(outputs)).toEqual(verdicts);
  });

  test("fail them with one element moved by twice its bound", () => {
    const moved = new Map<string, { test: TestCase; y: Float32Array }>();
    for (const [label, { test, y }] of outputs) {
      const bound = npy(test.files.y_bound.file);
      const i = bound.indexOf(Math.max(...bound));
      const perturbed = y.slice();
      perturbed[i] = npy(test.files.y.file)[i] + 2 * bound[i];
      moved.set(label, { test, y: perturbed });
    }
    const verdicts = new Map([...moved].map(([label, { test, y }]) => [label, dataRule(test, y)]));
    expect([...verdicts].filter(([, ok]) => ok)).toEqual([]);
    if (HAS_NUMPY) expect(numpyVerdicts(moved)).toEqual(verdicts);
  });
});

test("golden verify recomputes the bound files: a tampered y_bound.npy fails", () => {
  const dir = mkdtempSync(join(tmpdir(), "trilm-ops-verify-"));
  try {
    cpSync(SUITE, dir, { recursive: true });
    const { test } = bounded[0];
    const file = join(dir, test.files.y_bound.file);
    const bytes = readFileSync(file);
    bytes[bytes.length - 2] ^= 0x01; // a mantissa bit of the last element (little-endian float64)
    writeFileSync(file, bytes);
    const manifest = join(dir, "manifest.json");
    const text = readFileSync(manifest, "utf8");
    writeFileSync(manifest, text.replace(test.files.y_bound.sha256, sha256Hex(bytes)));
    const report = verifySuite(manifest);
    expect(report.failures.map((f) => f.tcId)).toEqual([test.tcId]);
    expect(report.failures[0].problem).toMatch(/y_bound\.npy: the reference's output differs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
