/**
 * `trilm golden generate`: plan a suite, compute its expected outputs with the reference, and
 * write its files and manifest.json, byte for byte the same for the same seed (spec/golden.md §6).
 */

import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic-write.js";
import { computeBounds } from "./acceptance.js";
import { computeOutputs, inputRolesOf, outputRolesOf } from "./compute.js";
import {
  formatManifest,
  MANIFEST_VERSION,
  SCHEMA_REFERENCE,
  type FileEntry,
  type Manifest,
  type Note,
  type TestCase,
  type TestGroup,
} from "./manifest.js";
import { planSuite, type SuiteName } from "./suites.js";
import { extensionOf, serializeTensor, sha256Hex, type Tensor } from "./tensor.js";

/** What `generate` is asked for. */
export interface GenerateOptions {
  readonly seed: number;
  readonly suites: readonly SuiteName[];
  /** The package version recorded in the manifest. */
  readonly version: string;
  /** The git commit recorded in the manifest: "unknown" unless given (so regeneration is stable across commits). */
  readonly commit: string;
  /** Called after each test is written (for a progress line). */
  readonly onProgress?: (suite: string, done: number, total: number) => void;
}

/** What one suite's generation wrote. */
export interface GeneratedSuite {
  readonly suite: string;
  readonly tests: number;
  /** Bytes of every file written, the manifest included. */
  readonly bytes: number;
}

/** The folder name of a test: tc0001. */
export function testFolder(tcId: number): string {
  return `tc${String(tcId).padStart(4, "0")}`;
}

/** Write one suite into `dir/<suite>/`. */
function generateSuite(dir: string, name: SuiteName, options: GenerateOptions): GeneratedSuite {
  const plan = planSuite(name, options.seed);
  const suiteDir = join(dir, name);
  mkdirSync(suiteDir, { recursive: true });
  const total = plan.groups.reduce((sum, g) => sum + g.cases.length, 0);
  let tcId = 0;
  let bytes = 0;
  const usedFlags = new Set<string>();
  const groups: TestGroup[] = plan.groups.map((group) => {
    const tests: TestCase[] = group.cases.map((spec) => {
      tcId += 1;
      const folder = testFolder(tcId);
      mkdirSync(join(suiteDir, folder), { recursive: true });
      const outputs = computeOutputs(group, spec.inputs);
      const files: Record<string, FileEntry> = {};
      const write = (role: string, tensor: Tensor): void => {
        const file = `${folder}/${role}${extensionOf(tensor.dtype)}`;
        const data = serializeTensor(tensor);
        writeFileAtomic(join(suiteDir, file), data);
        bytes += data.length;
        files[role] = { file, sha256: sha256Hex(data), shape: [...tensor.shape], dtype: tensor.dtype };
      };
      for (const role of inputRolesOf(group)) write(role, spec.inputs[role]);
      for (const role of outputRolesOf(group)) write(role, outputs[role]);
      for (const [role, bound] of Object.entries(computeBounds(group, spec.inputs, outputs))) write(role, bound);
      spec.flags.forEach((flag) => usedFlags.add(flag));
      options.onProgress?.(name, tcId, total);
      return { tcId, comment: spec.comment, flags: [...spec.flags], result: spec.result, files };
    });
    return {
      op: group.op,
      format: group.format,
      params: group.params,
      inputs: [...inputRolesOf(group)],
      outputs: [...outputRolesOf(group)],
      tolerance: {
        kind: group.tolerance.kind,
        description: group.tolerance.description,
        spec: group.tolerance.spec,
        ...(group.tolerance.bounds === undefined ? {} : { bounds: group.tolerance.bounds }),
        ...(group.tolerance.nmse === undefined ? {} : { nmse: group.tolerance.nmse }),
      },
      tests,
    };
  });
  const notes: Record<string, Note> = {};
  for (const [flag, note] of Object.entries(plan.notes))
    if (usedFlags.has(flag)) notes[flag] = { bugType: note.bugType, description: note.description };
  const manifest: Manifest = {
    schema: SCHEMA_REFERENCE,
    version: MANIFEST_VERSION,
    suite: name,
    generator: { name: "trilm-oracle", version: options.version, commit: options.commit },
    seed: options.seed,
    numberOfTests: tcId,
    notes,
    testGroups: groups,
  };
  const text = new TextEncoder().encode(formatManifest(manifest));
  writeFileAtomic(join(suiteDir, "manifest.json"), text);
  bytes += text.length;
  // Test folders of an earlier, larger generation are no longer named by the manifest.
  for (const entry of readdirSync(suiteDir)) {
    const match = /^tc(\d{4,})$/.exec(entry);
    if (match !== null && Number(match[1]) > tcId && existsSync(join(suiteDir, entry)))
      rmSync(join(suiteDir, entry), { recursive: true, force: true });
  }
  return { suite: name, tests: tcId, bytes };
}

/** Generate `options.suites` into `dir` (created if missing), one folder per suite. */
export function generateGolden(dir: string, options: GenerateOptions): GeneratedSuite[] {
  mkdirSync(dir, { recursive: true });
  return options.suites.map((name) => generateSuite(dir, name, options));
}
