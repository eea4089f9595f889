/**
 * Running `trilm` in-process for tests: captured output, a fresh temp directory per test, input
 * files built with the project's own writers, and the checks every bad-input test makes.
 */

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect } from "vitest";
import { runCli } from "../../../src/cli/cli.js";
import type { CliIo } from "../../../src/cli/cli-io.js";
import { serializeNpy } from "../../../src/io/npy.js";
import { serializeRawF32 } from "../../../src/io/raw-f32.js";

/** What one run printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `trilm args…` in-process with captured output. */
export async function trilm(...args: string[]): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (text) => (stdout += text) }, stderr: { write: (text) => (stderr += text) } };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

/** A fresh temp directory for each test of the calling file, removed afterwards; call at the top level. */
export function useTempDir(): (name: string) => string {
  let dir = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "trilm-cli-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return (name) => join(dir, name);
}

/** A file of the repository (golden data), by its path from the root. */
export function repoFile(path: string): string {
  return fileURLToPath(new URL(`../../../${path}`, import.meta.url));
}

/** Write a float32 .npy file. */
export function writeNpy(path: string, shape: number[], values: Float32Array): string {
  writeFileSync(path, serializeNpy({ dtype: "<f4", shape, data: values }));
  return path;
}

/** Write a raw little-endian float32 file. */
export function writeF32(path: string, values: Float32Array): string {
  writeFileSync(path, serializeRawF32(values));
  return path;
}

/** `n` deterministic pseudo-random values in [-2, 2) (a 32-bit LCG). */
export function pseudoRandomValues(n: number, seed = 1): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * 4 - 2;
  });
}

/**
 * `rows` rows of `rowLength` ternary values times one fp16-exact scale per row (every 256-block
 * holds a non-zero code, so its absmax is the scale): what TQ1_0/TQ2_0 encode losslessly.
 */
export function ternaryRows(rows: number, rowLength: number): Float32Array {
  const scales = [0.0625, 1.5, 0.009765625, 3];
  return Float32Array.from({ length: rows * rowLength }, (_, i) => {
    const trit = i % 256 === 0 ? 1 : ((i * 7 + Math.floor(i / 5)) % 3) - 1;
    return trit * scales[Math.floor(i / rowLength) % scales.length];
  });
}

/**
 * The checks for a refused input: exit status 2, exactly one line on stderr, `trilm: <file>: …`
 * with the problem, no stack frames, nothing on stdout, and (when given) no output file.
 */
export function expectRefused(
  result: CliResult,
  file: string | undefined,
  problem: string | RegExp,
  output?: string,
): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  const lines = result.stderr.split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe("");
  const line = lines[0];
  expect(line.startsWith(file === undefined ? "trilm: " : `trilm: ${file}: `)).toBe(true);
  if (typeof problem === "string") expect(line).toContain(problem);
  else expect(line).toMatch(problem);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  if (output !== undefined) expect(existsSync(output)).toBe(false);
}
