/**
 * The manifest of one golden suite (spec/golden.md §2), the pure part (no Node APIs, so the web
 * page can use it): its types, the byte-stable JSON it is written as, and the strict reading that
 * checks it against a given copy of golden/schema/manifest.schema.json (through the JSON Schema
 * subset of json-schema.ts) plus the rules a schema cannot say (numberOfTests, unique tcIds,
 * declared flags, roles). manifest.ts adds the lookup of the schema file and re-exports this.
 */

import { MAX_JSON_DEPTH, jsonDeeperThan } from "../io/json-depth.js";
import { validateJsonSchema, type JsonValue } from "./json-schema.js";

/** The manifest format version this code writes and reads. */
export const MANIFEST_VERSION = 1;

/** The schema's path from a suite folder of golden/suites/ (the `schema` field). */
export const SCHEMA_REFERENCE = "../../schema/manifest.schema.json";

/** Wycheproof's verdict on a test vector. */
export type TestResult = "valid" | "invalid" | "acceptable";

/** Categories of the notes' flags. */
export type BugType = "BASIC" | "EDGE_CASE" | "ROUNDING" | "NON_CANONICAL" | "LOSSY" | "INVALID_ENCODING";

/** The element types of the files: .npy dtypes and packed ggml rows (.bin). */
export type FileDtype = "float32" | "float64" | "float16" | "int32" | "int8" | "uint8" | "tq1_0" | "tq2_0" | "q8_K";

/** The operations a test group can test (`pack`, `unpack`, `validate`: TriRun's layout, spec/golden.md §9). */
export type GoldenOp =
  | "quantize"
  | "dequantize"
  | "pack"
  | "unpack"
  | "validate"
  | "matmul"
  | "rmsnorm"
  | "rope"
  | "attention"
  | "swiglu"
  | "model";

/** The storage format a group is about (`f32` for float-only ops, `trirun` for TriRun's B and s). */
export type GoldenFormat = "tq1_0" | "tq2_0" | "q8_K" | "trirun" | "i2_s" | "hf-bitnet" | "w2a8" | "f32";

/** A scalar or a list of scalars: the values a group's params hold. */
export type ParamValue = string | number | boolean | ReadonlyArray<string | number | boolean>;

/** One file of a test: where it is (relative to the manifest's folder), its hash, shape and dtype. */
export interface FileEntry {
  readonly file: string;
  readonly sha256: string;
  /** Logical shape: [rows, cols] in elements for packed .bin rows, the array's shape for .npy. */
  readonly shape: readonly number[];
  readonly dtype: FileDtype;
}

/** One test vector. */
export interface TestCase {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: TestResult;
  /** Role → file; the group's `inputs` and `outputs` name the roles. */
  readonly files: Readonly<Record<string, FileEntry>>;
}

/**
 * How close an implementation's output must be to the expected file (spec/golden.md §6):
 * "bit-exact" (the same bytes), "elementwise-bound" (the bound of every output element ships as a
 * float64 .npy file, the role `bounds` names: spec/golden.md §6.1), or "logits-criterion" (whole-model
 * logits: NMSE ≤ `nmse` and every position's argmax equal or a near tie, spec/tolerances.md §9.1,
 * spec/golden.md §6.2).
 */
export interface Tolerance {
  readonly kind: "bit-exact" | "elementwise-bound" | "logits-criterion";
  readonly description: string;
  /** The spec section that defines it, e.g. "spec/formats.md §8.2". */
  readonly spec: string;
  /**
   * elementwise-bound only: output role → the roles of its bound file (float64) and of the value the bound
   * is centred on (the output itself, or a float32 file of its own where the judge's reference is another
   * correct evaluation than the expected output): y → { bound: "y_bound", center: "y" or "y_center" }.
   */
  readonly bounds?: Readonly<Record<string, ElementwiseBound>>;
  /** logits-criterion only: τ, the largest NMSE(candidate, expected) accepted (spec/tolerances.md §9.1). */
  readonly nmse?: number;
}

/** The files of one output's elementwise rule (spec/golden.md §6.1, §6.3). */
export interface ElementwiseBound {
  readonly bound: string;
  readonly center: string;
  /**
   * Where the output is fp16 with non-finite results judged apart (TriRun, spec/golden.md §6.3): the role of a uint8
   * mask, bit 0 ±inf accepted, bit 1 NaN accepted; the bound is then never negative.
   */
  readonly nonFinite?: string;
}

/** The roles of a group's bound and centre files that are not outputs (elementwise-bound), in the order of its outputs. */
export function boundRoles(group: Pick<TestGroup, "outputs" | "tolerance">): string[] {
  const bounds = group.tolerance.bounds ?? {};
  return group.outputs.flatMap((role) => {
    const rule = bounds[role];
    if (rule === undefined) return [];
    const files = rule.center === role ? [rule.bound] : [rule.bound, rule.center];
    return rule.nonFinite === undefined ? files : [...files, rule.nonFinite];
  });
}

/** Tests of one operation with shared parameters. */
export interface TestGroup {
  readonly op: GoldenOp;
  readonly format: GoldenFormat;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Roles given to the implementation. */
  readonly inputs: readonly string[];
  /** Roles the implementation must produce (the expected values). */
  readonly outputs: readonly string[];
  readonly tolerance: Tolerance;
  readonly tests: readonly TestCase[];
}

/** What a flag means. */
export interface Note {
  readonly bugType: BugType;
  readonly description: string;
}

/** A suite's manifest.json. */
export interface Manifest {
  readonly schema: string;
  readonly version: number;
  readonly suite: string;
  readonly generator: { readonly name: "trilm-oracle"; readonly version: string; readonly commit: string };
  readonly seed: number;
  readonly numberOfTests: number;
  readonly notes: Readonly<Record<string, Note>>;
  readonly testGroups: readonly TestGroup[];
}

/** A manifest that cannot be used: the message is one line, without the file name. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ManifestError";
  }
}

/**
 * The manifest as written: JSON.stringify with two-space indentation of an object built with a
 * fixed key order (the order of the interfaces above), and a final newline. No timestamps, so
 * the same suite gives the same bytes.
 */
export function formatManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** Problems the schema cannot express. */
function semanticProblem(manifest: Manifest): string | undefined {
  const count = manifest.testGroups.reduce((sum, group) => sum + group.tests.length, 0);
  if (count !== manifest.numberOfTests)
    return `numberOfTests is ${manifest.numberOfTests} but the groups hold ${count} tests`;
  const seen = new Set<number>();
  const files = new Set<string>();
  for (const group of manifest.testGroups) {
    const roles = [...group.inputs, ...group.outputs, ...boundRoles(group)];
    if (new Set(roles).size !== roles.length) return `a ${group.op} group names a role twice`;
    const bounded = Object.keys(group.tolerance.bounds ?? {});
    if ((group.tolerance.kind === "elementwise-bound") !== bounded.length > 0)
      return `a ${group.op} group: bounds go with kind elementwise-bound, and only with it`;
    if ((group.tolerance.kind === "logits-criterion") !== (group.tolerance.nmse !== undefined))
      return `a ${group.op} group: nmse goes with kind logits-criterion, and only with it`;
    if (bounded.some((role) => !group.outputs.includes(role)))
      return `a ${group.op} group bounds a role that is not one of its outputs`;
    for (const test of group.tests) {
      if (seen.has(test.tcId)) return `tcId ${test.tcId} appears twice`;
      seen.add(test.tcId);
      for (const flag of test.flags) {
        if (!Object.hasOwn(manifest.notes, flag)) return `tcId ${test.tcId}: flag '${flag}' is not described in notes`;
      }
      const given = Object.keys(test.files).sort();
      if (given.join() !== [...roles].sort().join())
        return `tcId ${test.tcId}: files [${given.join(", ")}] do not match the group's roles [${roles.join(", ")}]`;
      for (const entry of Object.values(test.files)) {
        if (entry.file.split("/").includes(".."))
          return `tcId ${test.tcId}: file ${entry.file} leaves the suite folder`;
        if (files.has(entry.file)) return `file ${entry.file} is named twice`;
        files.add(entry.file);
        const packed = entry.dtype === "tq1_0" || entry.dtype === "tq2_0" || entry.dtype === "q8_K";
        if (packed !== entry.file.endsWith(".bin"))
          return `tcId ${test.tcId}: ${entry.file} has dtype ${entry.dtype}, which is stored as ${packed ? ".bin" : ".npy"}`;
        if (packed && (entry.shape.length !== 2 || entry.shape[1] % 256 !== 0))
          return `tcId ${test.tcId}: ${entry.file}: packed rows need shape [rows, cols] with cols a multiple of 256`;
      }
    }
  }
  return undefined;
}

/**
 * Parse and check a manifest's text against `schema` (the parsed manifest.schema.json): JSON, then
 * the schema, then the rules of semanticProblem. ManifestError (one line) for anything wrong.
 */
export function parseManifestWithSchema(text: string, schema: JsonValue): Manifest {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new ManifestError(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (jsonDeeperThan(value)) throw new ManifestError(`nests arrays or objects more than ${MAX_JSON_DEPTH} deep`);
  const problem = validateJsonSchema(value, schema);
  if (problem !== undefined) throw new ManifestError(`does not match ${SCHEMA_REFERENCE}: ${problem}`);
  const manifest = value as unknown as Manifest;
  const semantic = semanticProblem(manifest);
  if (semantic !== undefined) throw new ManifestError(semantic);
  return manifest;
}
