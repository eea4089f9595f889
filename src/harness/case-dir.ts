/**
 * Case directories of kernel protocol v1 (spec/kernel-protocol.md): case.json and the input files.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { parseNpy, pythonTupleRepr, serializeNpy } from "../io/npy.js";
import {
  CASE_FILE,
  ROLE_FILES,
  caseJsonOf,
  formatProblem,
  inputRoles,
  weightRowBytes,
  parseCaseJson,
  shapeProblem,
  type KernelCase,
} from "./protocol.js";
import { readCaseFile } from "./format-case-json.js";

/** Throws RangeError when a case's inputs are missing or do not fit its shape. */
export function requireConsistentCase(kernelCase: KernelCase): void {
  const problem =
    shapeProblem(kernelCase.op, kernelCase.rows, kernelCase.cols, kernelCase.batch) ??
    formatProblem(kernelCase.op, kernelCase.format);
  if (problem !== undefined) throw new RangeError(problem);
  const { rows, cols, batch, format } = kernelCase;
  for (const role of inputRoles(kernelCase.op)) {
    const array = kernelCase[role as "weight" | "x" | "w"];
    if (array === undefined) throw new RangeError(`${kernelCase.op} needs input ${role}`);
    const want = role === "weight" ? rows * weightRowBytes(format, cols) : role === "x" ? batch * cols : rows * cols;
    if (array.length !== want)
      throw new RangeError(`input ${role} has ${array.length} elements, the shape needs ${want}`);
  }
}

/**
 * Write `kernelCase` as a case directory `dir` (created if needed): case.json and the input files
 * the op needs. RangeError when the case is inconsistent.
 */
export function writeCaseDir(dir: string, kernelCase: KernelCase): void {
  requireConsistentCase(kernelCase);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, CASE_FILE), `${JSON.stringify(caseJsonOf(kernelCase), null, 2)}\n`);
  const { rows, cols, batch } = kernelCase;
  for (const role of inputRoles(kernelCase.op)) {
    const path = join(dir, ROLE_FILES[role]);
    if (role === "weight") writeFileSync(path, kernelCase.weight!);
    else if (role === "x")
      writeFileSync(path, serializeNpy({ dtype: "<f4", shape: [batch, cols], data: kernelCase.x! }));
    else writeFileSync(path, serializeNpy({ dtype: "<f4", shape: [rows, cols], data: kernelCase.w! }));
  }
}

/** A float32 .npy input of exactly `shape`; InputError otherwise. */
function readF32Npy(path: string, shape: readonly number[]): Float32Array {
  const array = parseNpy(readCaseFile(path), path);
  if (array.dtype !== "<f4") throw new InputError(path, `must hold float32 ('<f4'), not '${array.dtype}'`);
  if (array.shape.length !== shape.length || array.shape.some((n, i) => n !== shape[i])) {
    throw new InputError(path, `must have shape ${pythonTupleRepr(shape)}, not ${pythonTupleRepr(array.shape)}`);
  }
  return array.data;
}

/**
 * Read the case directory `dir` (as writeCaseDir writes it) back into a KernelCase.
 * InputError naming the file for a missing or malformed case.json or input.
 */
export function readCaseDir(dir: string): KernelCase {
  const casePath = join(dir, CASE_FILE);
  let json;
  try {
    json = parseCaseJson(new TextDecoder().decode(readCaseFile(casePath)));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(casePath, error instanceof Error ? error.message : String(error));
  }
  const { rows, cols, batch } = json.shape;
  const base = {
    op: json.op,
    format: json.format,
    rows,
    cols,
    batch,
    activations: json.activations,
    ...(json.label === undefined ? {} : { label: json.label }),
  };
  const inputs: { weight?: Uint8Array; x?: Float32Array; w?: Float32Array } = {};
  for (const role of inputRoles(json.op)) {
    const path = join(dir, ROLE_FILES[role]);
    if (role === "weight") {
      const bytes = readCaseFile(path);
      const want = rows * weightRowBytes(json.format, cols);
      if (bytes.length !== want)
        throw new InputError(
          path,
          `is ${bytes.length} bytes; ${rows} rows of ${cols / 256} ${json.format} blocks need ${want}`,
        );
      inputs.weight = bytes;
    } else if (role === "x") inputs.x = readF32Npy(path, [batch, cols]);
    else inputs.w = readF32Npy(path, [rows, cols]);
  }
  return { ...base, ...inputs };
}
