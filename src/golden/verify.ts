/**
 * `trilm golden verify`: read every suite's manifest (strictly), check every file's sha256, dtype
 * and shape, recompute every expected output with the reference and compare it byte for byte
 * and every elementwise bound file (spec/golden.md §6.1, §7).
 */

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { computeBounds } from "./acceptance.js";
import { computeOutputs } from "./compute.js";
import { boundRoles, ManifestError, parseManifest, type Manifest, type TestCase, type TestGroup } from "./manifest.js";
import { parseTensor, serializeTensor, sha256Hex, type Tensor } from "./tensor.js";

/** One test that did not verify. */
export interface VerifyFailure {
  readonly suite: string;
  readonly tcId: number;
  readonly problem: string;
}

/** The result for one suite. */
export interface SuiteReport {
  readonly suite: string;
  readonly manifestPath: string;
  readonly passed: number;
  readonly failed: number;
  readonly failures: readonly VerifyFailure[];
}

/** The manifest.json files under `dir`: its own, or those of its immediate subfolders (sorted). InputError when none. */
export function findManifests(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(dir, "is not a folder");
  const own = join(dir, "manifest.json");
  if (existsSync(own)) return [own];
  const found = readdirSync(dir)
    .sort()
    .map((entry) => join(dir, entry, "manifest.json"))
    .filter((path) => existsSync(path));
  if (found.length === 0) throw new InputError(dir, "holds no manifest.json, neither itself nor in a subfolder");
  return found;
}

/** Read and check a manifest: InputError naming the file when it is malformed. */
export function readManifest(path: string): Manifest {
  try {
    return parseManifest(readFileSync(path, "utf8"));
  } catch (error) {
    if (error instanceof ManifestError) throw new InputError(path, error.message);
    if (error instanceof Error && "code" in error) throw new InputError(path, `cannot read: ${error.message}`);
    throw error;
  }
}

/** Check one test: the problem, or undefined when it verifies. ManifestError when its group's params do not fit. */
function verifyTest(suiteDir: string, group: TestGroup, test: TestCase): string | undefined {
  const inputs: Record<string, Tensor> = {};
  for (const [role, entry] of Object.entries(test.files)) {
    const path = join(suiteDir, entry.file);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch {
      return `${entry.file}: missing or unreadable`;
    }
    const sha = sha256Hex(bytes);
    if (sha !== entry.sha256) return `${entry.file}: sha256 ${sha}, the manifest says ${entry.sha256}`;
    const tensor = parseTensor(bytes, entry.dtype, entry.shape, entry.file);
    if (typeof tensor === "string") return tensor;
    if (group.inputs.includes(role)) inputs[role] = tensor;
  }
  let outputs: Record<string, Tensor>;
  try {
    outputs = computeOutputs(group, inputs);
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    return `the reference failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const bounds = computeBounds(group, inputs, outputs);
  for (const role of [...group.outputs, ...boundRoles(group)]) {
    const entry = test.files[role];
    const tensor = outputs[role] ?? bounds[role];
    if (tensor === undefined)
      throw new ManifestError(`a ${group.op} group lists output '${role}', which the op does not produce`);
    if (tensor.dtype !== entry.dtype || tensor.shape.join() !== entry.shape.join()) {
      return `${entry.file}: the reference gives ${tensor.dtype} [${tensor.shape.join(", ")}], the manifest says ${entry.dtype} [${entry.shape.join(", ")}]`;
    }
    const sha = sha256Hex(serializeTensor(tensor));
    if (sha !== entry.sha256)
      return `${entry.file}: the reference's output differs (sha256 ${sha}, the manifest says ${entry.sha256})`;
  }
  return undefined;
}

/** Verify every test of the suite whose manifest is at `manifestPath`. InputError when the manifest is malformed. */
export function verifySuite(
  manifestPath: string,
  onProgress?: (suite: string, done: number, total: number) => void,
): SuiteReport {
  const manifest = readManifest(manifestPath);
  const suiteDir = join(manifestPath, "..");
  const failures: VerifyFailure[] = [];
  let done = 0;
  for (const group of manifest.testGroups) {
    for (const test of group.tests) {
      let problem: string | undefined;
      try {
        problem = verifyTest(suiteDir, group, test);
      } catch (error) {
        if (error instanceof ManifestError) throw new InputError(manifestPath, `tcId ${test.tcId}: ${error.message}`);
        throw error;
      }
      if (problem !== undefined) failures.push({ suite: manifest.suite, tcId: test.tcId, problem });
      done += 1;
      onProgress?.(manifest.suite, done, manifest.numberOfTests);
    }
  }
  return {
    suite: manifest.suite,
    manifestPath,
    passed: manifest.numberOfTests - failures.length,
    failed: failures.length,
    failures,
  };
}
