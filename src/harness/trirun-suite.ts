/**
 * The TriRun-format kernel tests of a golden suite (spec/kernel-protocol.md §11.4): every test of a matmul group
 * of format trirun (spec/golden.md §9) as a TriRun-format case, with the acceptance region its own files give
 * (y_center, y_bound, y_nonfinite: spec/golden.md §6.3) and its y, so that `trilm check --suite` judges a kernel
 * by the suite's data rather than by recomputing it. The suite's pack, unpack and validate groups are codec
 * tests, not kernel tests: they are counted, not run.
 */

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { packTrirun, trirunScaleRows, TRIRUN_TILE, unpackTrirun } from "../../reference/codec/trirun.js";
import type { TrirunMatmulAcceptance } from "../../reference/tolerances/trirun-matmul.js";
import { InputError } from "../errors.js";
import { parseNpy, pythonTupleRepr, type NpyArray, type NpyDtype } from "../io/npy.js";
import { TRIRUN_FORMAT, type TrirunKernelCase } from "./trirun-case.js";

/** A TriRun matmul test of a suite: the case and the suite's acceptance data. */
export interface TrirunSuiteTest {
  readonly label: string;
  readonly kernelCase: TrirunKernelCase;
  /** From y_center, y_bound and y_nonfinite (bit 0: ±inf accepted, bit 1: NaN accepted); slices from the group. */
  readonly acceptance: TrirunMatmulAcceptance;
  /** The suite's y.npy, fp16 bits [m × n]: TriRun's result with one thread block per column. */
  readonly expected: Uint16Array;
}

/** A suite test that cannot be run, with why. */
export interface TrirunSuiteSkip {
  readonly label: string;
  readonly skipped: string;
}

/** The TriRun-format kernel tests of a suite and how many of its format-trirun tests are not kernel tests. */
export interface TrirunSuite {
  readonly entries: readonly (TrirunSuiteTest | TrirunSuiteSkip)[];
  /** Tests of the suite's format-trirun groups of other ops (pack, unpack, validate), by op. */
  readonly codecTests: Readonly<Record<string, number>>;
}

type Json = Record<string, unknown>;

/** A JSON object, or undefined. */
function asObject(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** A positive safe integer param of the group; Error naming it otherwise. */
function positiveParam(params: Json, key: string): number {
  const v = params[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1)
    throw new Error(`param '${key}' is not a positive integer`);
  return v;
}

/** The .npy file of `role` in a test, of exactly `dtype` and `shape`; Error with the reason otherwise. */
function roleArray(dir: string, test: Json, role: string, dtype: NpyDtype, shape: readonly number[]): NpyArray {
  const entry = asObject(test.files)?.[role];
  const name = typeof entry === "string" ? entry : asObject(entry)?.file;
  if (typeof name !== "string") throw new Error(`no '${role}' file`);
  const path = resolve(dir, name);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new Error(
      `${name}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "cannot be read"}`,
    );
  }
  const array = parseNpy(bytes, name);
  if (array.dtype !== dtype) throw new Error(`${name}: dtype '${array.dtype}', expected '${dtype}'`);
  if (array.shape.join() !== shape.join())
    throw new Error(`${name}: shape ${pythonTupleRepr(array.shape)}, expected ${pythonTupleRepr(shape)}`);
  return array;
}

/** Equal element for element? */
function sameElements(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * One matmul test as a case: k, n, groupSize, m and slices from the group's params; B (int32 [k/16, n]), s (fp16
 * [rows, n]), x (fp16 [m, k]) its inputs; y (fp16 [m, n]), y_center and y_bound (float64 [m, n]) and y_nonfinite
 * (uint8 [m, n]) its expected output and acceptance (the roles the group's tolerance.bounds.y names). B and s must
 * be what packTrirun writes for the weights they hold, so the kernel reads the suite's bytes. Error with the reason.
 */
function suiteTest(dir: string, group: Json, test: Json, label: string): TrirunSuiteTest {
  const params = asObject(group.params) ?? {};
  const k = positiveParam(params, "k");
  const n = positiveParam(params, "n");
  const m = positiveParam(params, "m");
  const slices = positiveParam(params, "slices");
  const groupSize = params.groupSize;
  if (groupSize !== -1 && groupSize !== 128) throw new Error("param 'groupSize' is not -1 or 128");
  const rule = asObject(asObject(asObject(group.tolerance)?.bounds)?.y);
  const roles = { center: rule?.center, bound: rule?.bound, nonFinite: rule?.nonFinite };
  if (!Object.values(roles).every((role) => typeof role === "string"))
    throw new Error("the group's tolerance names no y center, bound and nonFinite files");
  const output = [m, n];
  const B = roleArray(dir, test, "B", "<i4", [k / TRIRUN_TILE, n]).data as Int32Array;
  const s = roleArray(dir, test, "s", "<f2", [trirunScaleRows({ k, n, groupSize }), n]).data as Uint16Array;
  const x = roleArray(dir, test, "x", "<f2", [m, k]).data as Uint16Array;
  const expected = roleArray(dir, test, "y", "<f2", output).data as Uint16Array;
  const center = roleArray(dir, test, roles.center as string, "<f8", output).data as Float64Array;
  const bound = roleArray(dir, test, roles.bound as string, "<f8", output).data as Float64Array;
  const mask = roleArray(dir, test, roles.nonFinite as string, "|u1", output).data as Uint8Array;
  const weights = unpackTrirun({ k, n, groupSize, B, s });
  const repacked = packTrirun(weights);
  if (!sameElements(repacked.B, B) || !sameElements(repacked.s, s))
    throw new Error("B and s are not what packTrirun writes for the weights they hold");
  return {
    label,
    kernelCase: { weights, m, x, label },
    acceptance: {
      center,
      bound,
      overflowPossible: mask.map((bits) => bits & 1),
      nanPossible: mask.map((bits) => (bits >> 1) & 1),
      slices,
    },
    expected,
  };
}

/**
 * The TriRun-format kernel tests of the golden suite `dir`: every test of manifest.json's groups of op matmul and
 * format trirun, labelled tc<tcId>, in order (a test whose result is "invalid", or whose files cannot be read, is
 * listed as skipped with why); the tests of its other format-trirun groups are counted by op. Returns no entries
 * when `op` is given and is not matmul. InputError when manifest.json is missing or has no testGroups array.
 */
export function trirunSuiteTests(dir: string, op?: string): TrirunSuite {
  const manifestPath = join(dir, "manifest.json");
  let manifest: Json | undefined;
  try {
    manifest = asObject(JSON.parse(readFileSync(manifestPath, "utf8")));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(manifestPath, code === "ENOENT" ? "no such file" : "cannot be read as JSON");
  }
  if (manifest === undefined || !Array.isArray(manifest.testGroups))
    throw new InputError(manifestPath, "has no testGroups array");
  const entries: (TrirunSuiteTest | TrirunSuiteSkip)[] = [];
  const codecTests: Record<string, number> = {};
  for (const g of manifest.testGroups) {
    const group = asObject(g);
    if (group?.format !== TRIRUN_FORMAT) continue;
    const tests = (Array.isArray(group.tests) ? group.tests : []).map(asObject).filter((t) => t !== undefined);
    if (group.op !== "matmul") {
      const name = String(group.op);
      codecTests[name] = (codecTests[name] ?? 0) + tests.length;
      continue;
    }
    if (op !== undefined && op !== "matmul") continue;
    for (const test of tests) {
      const label = test.tcId === undefined ? `matmul-trirun-${entries.length}` : `tc${String(test.tcId)}`;
      if (test.result === "invalid") {
        entries.push({ label, skipped: "result is invalid" });
        continue;
      }
      try {
        entries.push(suiteTest(dir, group, test, label));
      } catch (error) {
        entries.push({ label, skipped: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return { entries, codecTests };
}

/** The one-line note on a suite's non-kernel TriRun tests: "note: 47 pack, unpack, validate tests … (golden verify)". */
export function trirunCodecTestsNote(suite: TrirunSuite, dir: string): string | undefined {
  const ops = Object.keys(suite.codecTests);
  if (ops.length === 0) return undefined;
  const count = ops.reduce((sum, op) => sum + suite.codecTests[op], 0);
  return (
    `note: the ${count} ${ops.join(", ")} tests of ${dir} are codec tests, not kernel tests ` +
    `(trilm golden verify ${dir} judges them)`
  );
}
