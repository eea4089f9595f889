/**
 * The cases `trilm check` runs a kernel on: a built-in set generated from a seed with the reference
 * codec, a golden suite directory (manifest.json), or one saved case directory; and the report rows.
 * See spec/kernel-protocol.md §7.
 */

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { quantizeRow, QK_K } from "../../reference/codec/index.js";
import { InputError } from "../errors.js";
import { parseNpy } from "../io/npy.js";
import { deriveSeed, mulberry32, normalish } from "../random/index.js";
import { requireConsistentCase } from "./case-dir.js";
import { runKernelOnCase } from "./run-kernel.js";
import {
  formatType,
  inputRoles,
  KERNEL_ACTIVATIONS,
  KERNEL_FORMATS,
  KERNEL_OPS,
  weightRowBytes,
  type CaseVerdict,
  type KernelActivations,
  type KernelCase,
  type KernelFormat,
  type KernelOp,
  type WorstElement,
} from "./protocol.js";

/** One built-in shape/scale scenario. */
interface Scenario {
  readonly name: string;
  readonly rows: number;
  readonly blocks: number;
  readonly batch: number;
  /** Block scale (absmax) of block `blk` of row `r`. */
  readonly scale: (r: number, blk: number) => number;
  /** Activations with outliers. */
  readonly outliers?: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { name: "1x1-block", rows: 1, blocks: 1, batch: 1, scale: () => 1 },
  { name: "1x2-blocks", rows: 1, blocks: 2, batch: 1, scale: (_r, b) => (b === 0 ? 0.5 : 2) },
  { name: "5x3-blocks", rows: 5, blocks: 3, batch: 1, scale: (r, b) => 0.25 + 0.5 * ((r + b) % 4) },
  { name: "4x2-blocks-batch3", rows: 4, blocks: 2, batch: 3, scale: (r) => 1 + r },
  { name: "zero-block", rows: 2, blocks: 2, batch: 1, scale: (r, b) => (r === 0 && b === 1 ? 0 : 1) },
  { name: "subnormal-scale", rows: 2, blocks: 2, batch: 1, scale: (_r, b) => (b === 0 ? 1e-5 : 3e-8) },
  { name: "large-scale", rows: 2, blocks: 2, batch: 1, scale: (_r, b) => (b === 0 ? 60000 : 2048) },
  { name: "outlier-activations", rows: 3, blocks: 2, batch: 2, scale: () => 1, outliers: true },
];

/** Float weights [rows, cols]: ternary values times each block's scale, with noise so quantizing rounds. */
function scenarioWeights(s: Scenario, seed: number, noisy: boolean): Float32Array {
  const next = mulberry32(deriveSeed(seed, `${s.name}/w`));
  const cols = s.blocks * QK_K;
  const w = new Float32Array(s.rows * cols);
  for (let r = 0; r < s.rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = s.scale(r, Math.floor(c / QK_K));
      const u = next();
      const trit = c % QK_K === 7 ? 1 : u < 1 / 3 ? 0 : u < 2 / 3 ? -1 : 1; // one element sets the absmax
      const noise = noisy && c % QK_K !== 7 ? (next() - 0.5) * 0.9 : 0;
      w[r * cols + c] = Math.fround(d * Math.max(-1, Math.min(1, trit + noise)));
    }
  }
  return w;
}

/** Activations [batch, cols]: normal-ish, with a few large outliers when asked. */
function scenarioActivations(s: Scenario, seed: number): Float32Array {
  const next = mulberry32(deriveSeed(seed, `${s.name}/x`));
  const x = new Float32Array(s.batch * s.blocks * QK_K);
  for (let i = 0; i < x.length; i++) x[i] = normalish(next);
  if (s.outliers === true) for (let i = 13; i < x.length; i += 97) x[i] = (i % 2 === 0 ? 1 : -1) * 300 * (1 + next());
  return x;
}

/** Options of builtinCases. */
export interface BuiltinCaseOptions {
  readonly seed: number;
  /** matmul: only this activation mode (default: both f32 and ggml). */
  readonly activations?: KernelActivations;
}

/**
 * The built-in cases of `op` in `format`, generated deterministically from options.seed with the
 * reference codec: one row of one block, one row of two blocks, several rows and blocks, a batch,
 * a zero block, fp16-subnormal scales, large scales and activations with outliers; matmul cases in
 * each activation mode asked for.
 */
export function builtinCases(op: KernelOp, format: KernelFormat, options: BuiltinCaseOptions): KernelCase[] {
  const type = formatType(format);
  const modes: readonly KernelActivations[] =
    op !== "matmul" ? ["f32"] : options.activations === undefined ? KERNEL_ACTIVATIONS : [options.activations];
  const cases: KernelCase[] = [];
  for (const s of SCENARIOS) {
    if (s.outliers === true && op !== "matmul") continue;
    const cols = s.blocks * QK_K;
    const batch = op === "matmul" ? s.batch : 1;
    const w = scenarioWeights(s, options.seed, op === "quantize");
    for (const activations of modes) {
      const label =
        op === "matmul"
          ? `${op}-${format}-${s.name}-${activations}`
          : `${op}-${format}-${s.name.replace(/-batch\d+$/, "")}`;
      const base = { op, format, rows: s.rows, cols, batch, activations, label };
      if (op === "quantize") cases.push({ ...base, w });
      else if (op === "dequantize") cases.push({ ...base, weight: quantizeRow(type, w) });
      else cases.push({ ...base, weight: quantizeRow(type, w), x: scenarioActivations(s, options.seed) });
    }
  }
  return cases;
}

/** A case of a suite, or a test of it that cannot be run (with why). */
export type SuiteEntry =
  { readonly label: string; readonly kernelCase: KernelCase } | { readonly label: string; readonly skipped: string };

/** Which suite tests to take. */
export interface SuiteFilter {
  readonly op?: KernelOp;
  readonly format?: KernelFormat;
  readonly activations?: KernelActivations;
}

type Json = Record<string, unknown>;

/** A JSON object, or undefined. */
function asObject(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** The first of `keys` present as a number in any of `sources`. */
function numberParam(sources: readonly (Json | undefined)[], key: string): number | undefined {
  for (const s of sources) {
    const v = s?.[key] ?? asObject(s?.shape)?.[key];
    if (typeof v === "number") return v;
  }
  return undefined;
}

/** The first of `key` present as a string in any of `sources`. */
function stringParam(sources: readonly (Json | undefined)[], key: string): string | undefined {
  for (const s of sources) {
    const v = s?.[key];
    if (typeof v === "string") return v;
  }
  return undefined;
}

/** A float32 .npy file of the suite: its shape and data. */
function readSuiteNpy(path: string): { shape: readonly number[]; data: Float32Array } {
  const array = parseNpy(new Uint8Array(readFileSync(path)), path);
  if (array.dtype !== "<f4") throw new Error(`${path}: dtype '${array.dtype}', expected '<f4'`);
  return array;
}

/** One suite test as a case. Throws Error with the reason it cannot be run. */
function suiteCase(
  dir: string,
  group: Json,
  test: Json,
  op: KernelOp,
  format: KernelFormat,
  label: string,
): KernelCase {
  const files = asObject(test.files) ?? {};
  const path = (role: string): string => {
    const entry = files[role];
    const name = typeof entry === "string" ? entry : asObject(entry)?.file;
    if (typeof name !== "string") throw new Error(`no '${role}' file`);
    return resolve(dir, name);
  };
  const sources = [test, asObject(test.params), group, asObject(group.params)];
  const activations = stringParam(sources, "activations") ?? "ggml";
  if (!(KERNEL_ACTIVATIONS as readonly string[]).includes(activations))
    throw new Error(`unknown activations '${activations}'`);
  let rows = numberParam(sources, "rows");
  let cols = numberParam(sources, "cols");
  let batch = numberParam(sources, "batch");
  const inputs: { weight?: Uint8Array; x?: Float32Array; w?: Float32Array } = {};
  for (const role of inputRoles(op)) {
    if (role === "weight") inputs.weight = new Uint8Array(readFileSync(path("weight")));
    else {
      const array = readSuiteNpy(path(role));
      const [outer, inner] = array.shape.length === 2 ? array.shape : [1, array.shape[0]];
      cols ??= inner;
      if (role === "x") batch ??= outer;
      else rows ??= outer;
      inputs[role as "x" | "w"] = array.data;
    }
  }
  if (cols === undefined) {
    const out = files[op === "dequantize" ? "w" : "y"];
    const name = typeof out === "string" ? out : asObject(out)?.file;
    if (typeof name === "string") cols = readSuiteNpy(resolve(dir, name)).shape.at(-1);
  }
  if (cols === undefined || cols % QK_K !== 0) throw new Error("no usable cols (give shape params or an input .npy)");
  if (rows === undefined && inputs.weight !== undefined) rows = inputs.weight.length / weightRowBytes(format, cols);
  const kernelCase: KernelCase = {
    op,
    format,
    rows: rows ?? 0,
    cols,
    batch: batch ?? 1,
    activations: activations as KernelActivations,
    label,
    ...inputs,
  };
  requireConsistentCase(kernelCase);
  return kernelCase;
}

/**
 * The cases of a golden suite directory: manifest.json's testGroups whose op and format are
 * kernel ops/formats (and match `filter`); groups of other ops (rmsnorm, model, …) and formats (q8_K)
 * are left out. Each test's inputs are its `files` (role → `{ file }` or a path, relative to the
 * suite directory; the expected outputs are not read: the reference recomputes them); the shape and
 * activations come from rows/cols/batch/activations in the test, its params, the group or the
 * group's params (default activations: ggml), else from the input .npy shapes. Tests whose result is
 * "invalid" are listed as skipped.
 * InputError when manifest.json is missing or not a manifest.
 */
export function suiteCases(dir: string, filter: SuiteFilter = {}): SuiteEntry[] {
  const manifestPath = join(dir, "manifest.json");
  let manifest: Json | undefined;
  try {
    manifest = asObject(JSON.parse(readFileSync(manifestPath, "utf8")));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      manifestPath,
      code === "ENOENT" ? "no such file" : `cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (manifest === undefined || !Array.isArray(manifest.testGroups))
    throw new InputError(manifestPath, "has no testGroups array");
  const entries: SuiteEntry[] = [];
  for (const g of manifest.testGroups) {
    const group = asObject(g);
    if (group === undefined) continue;
    const op = group.op;
    const format = group.format;
    if (!(KERNEL_OPS as readonly unknown[]).includes(op) || !(KERNEL_FORMATS as readonly unknown[]).includes(format))
      continue;
    if ((filter.op !== undefined && op !== filter.op) || (filter.format !== undefined && format !== filter.format))
      continue;
    for (const t of Array.isArray(group.tests) ? group.tests : []) {
      const test = asObject(t);
      if (test === undefined) continue;
      const label =
        test.tcId === undefined ? `${String(op)}-${String(format)}-${entries.length}` : `tc${String(test.tcId)}`;
      if (test.result === "invalid") {
        entries.push({ label, skipped: "result is invalid" });
        continue;
      }
      try {
        const kernelCase = suiteCase(dir, group, test, op as KernelOp, format as KernelFormat, label);
        if (filter.activations !== undefined && op === "matmul" && kernelCase.activations !== filter.activations)
          continue;
        entries.push({ label, kernelCase });
      } catch (error) {
        entries.push({ label, skipped: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return entries;
}

/** The outcome of one case of a check. */
export interface CheckResult {
  readonly label: string;
  readonly verdict?: CaseVerdict;
  /** Set when the case was not run. */
  readonly skipped?: string;
  readonly format?: KernelFormat;
}

/** Run `command` on every entry in order, calling onResult after each. Never throws for kernel faults. */
export async function runCheck(
  command: string,
  entries: readonly SuiteEntry[],
  options: { readonly timeoutS: number; readonly onResult?: (result: CheckResult) => void },
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const entry of entries) {
    const result: CheckResult =
      "skipped" in entry
        ? { label: entry.label, skipped: entry.skipped }
        : {
            label: entry.label,
            format: entry.kernelCase.format,
            verdict: await runKernelOnCase(command, entry.kernelCase, { timeoutS: options.timeoutS }),
          };
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

/** A number in reports: 4 significant digits. */
function short(v: number | undefined): string {
  if (v === undefined) return "-";
  if (Number.isNaN(v)) return "NaN";
  if (v === 0 || !Number.isFinite(v)) return String(v);
  return v.toPrecision(4);
}

/** The worst element as the report's cell: "b1 r2 c300 block 1 byte 12 bit 2" (batch, row, col, where stored); "-" for none. */
export function worstElementCell(worst: WorstElement | undefined): string {
  if (worst === undefined) return "-";
  const parts = [`b${worst.batch} r${worst.row}`];
  if (worst.col !== undefined) parts.push(`c${worst.col}`);
  parts.push(`block ${worst.block} byte ${worst.byte}`);
  if (worst.bit !== undefined) parts.push(`bit ${worst.bit}`);
  if (worst.trit !== undefined) parts.push(`trit ${worst.trit}`);
  return parts.join(" ");
}

/** The report cells of one result: case, status, max abs error, NMSE, worst element, reason. */
export function checkRowCells(result: CheckResult): string[] {
  if (result.verdict === undefined) return [result.label, "SKIP", "-", "-", "-", result.skipped ?? ""];
  const v = result.verdict;
  return [
    result.label,
    v.passed ? "PASS" : "FAIL",
    short(v.maxAbsError),
    short(v.nmse),
    worstElementCell(v.worst),
    v.passed ? "" : (v.reason ?? ""),
  ];
}

/** Column headers of the report. */
export const CHECK_HEADER: readonly string[] = ["case", "result", "max abs err", "nmse", "worst element", "reason"];
