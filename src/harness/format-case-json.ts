/**
 * Reading the case.json of a case directory for one kernel format (spec/kernel-protocol.md §11–§14): the pieces the
 * formats' case modules share to tell their own directories from others' and to report a bad one.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { CASE_FILE } from "./protocol.js";

/** Read a file of the case directory; InputError naming it when it cannot be read. */
export function readCaseFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(path, code === "ENOENT" ? "no such file" : `cannot be read (${code ?? String(error)})`);
  }
}

/** A file of the case directory of exactly `size` bytes (readCaseFile); InputError naming it otherwise. */
export function readCaseFileOfSize(path: string, size: number): Uint8Array {
  const bytes = readCaseFile(path);
  if (bytes.length !== size) throw new InputError(path, `is ${bytes.length} bytes, expected ${size}`);
  return bytes;
}

/** The text of a case file (readCaseFile, decoded as UTF-8). */
export function readCaseFileText(path: string): string {
  return new TextDecoder().decode(readCaseFile(path));
}

/**
 * The UTF-8 text of a case file; InputError "cannot be read (<code>)" when the system refuses it (an error with no
 * code is thrown as it is).
 */
export function readCaseFileTextNamingCode(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new InputError(path, `cannot be read (${code})`);
    throw error;
  }
}

/**
 * The case.json of `dir` checked by `parse` when its format is `format`; undefined for any other case directory or
 * one whose case.json is not JSON (readCaseDir reports it). `readText` reads the file (its InputError is thrown);
 * a `parse` error becomes an InputError naming case.json.
 */
export function formatCaseJsonIn<J>(
  dir: string,
  format: string,
  parse: (value: unknown) => J,
  readText: (path: string) => string,
): J | undefined {
  const path = join(dir, CASE_FILE);
  let value: unknown;
  try {
    value = JSON.parse(readText(path));
  } catch (error) {
    if (error instanceof InputError) throw error;
    return undefined; // not JSON: readCaseDir reports it
  }
  if (typeof value !== "object" || value === null || (value as { format?: unknown }).format !== format)
    return undefined;
  try {
    return parse(value);
  } catch (error) {
    throw new InputError(path, error instanceof Error ? error.message : String(error));
  }
}

/** A positive safe integer? */
export function positiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}
