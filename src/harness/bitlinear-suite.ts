/**
 * The hf-bitnet and w2a8 kernel tests of a golden suite (spec/kernel-protocol.md §13.3, §14.4; spec/golden.md §11,
 * §12): every test of a matmul group of those formats as a kernel case, so that `trilm check --suite` runs a kernel on
 * them. They are judged as the fixed cases are: the suite's y and y_bound are what that judge computes (`trilm golden
 * verify` recomputes them). The suites' pack and unpack groups are codec tests: counted, not run.
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { unpackHfBitnet } from "../../reference/codec/hf-bitnet.js";
import { unpackW2a8 } from "../../reference/codec/w2a8.js";
import { parseNpy, pythonTupleRepr, type NpyArray, type NpyDtype } from "../io/npy.js";
import { HF_BITNET_FORMAT, type HfBitnetKernelCase } from "./hf-bitnet-case.js";
import { W2A8_FORMAT, type W2a8KernelCase } from "./w2a8-case.js";

/** The kernel cases of a suite, by format, and the number of its codec tests (not run). */
export interface BitlinearSuite {
  readonly hfBitnet: readonly HfBitnetKernelCase[];
  readonly w2a8: readonly W2a8KernelCase[];
  readonly codecTests: number;
}

type Json = Record<string, unknown>;

/** A JSON object, or undefined. */
function asObject(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** A positive integer param; Error naming it otherwise. */
function param(params: Json, key: string): number {
  const v = params[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1)
    throw new Error(`param '${key}' is not a positive integer`);
  return v;
}

/** The .npy of `role` in a test, of exactly `dtype` and `shape`; Error naming the file otherwise. */
function roleArray(dir: string, test: Json, role: string, dtype: NpyDtype, shape: readonly number[]): NpyArray {
  const name = asObject(asObject(test.files)?.[role])?.file;
  if (typeof name !== "string") throw new Error(`no '${role}' file`);
  const array = parseNpy(new Uint8Array(readFileSync(resolve(dir, name))), name);
  if (array.dtype !== dtype || array.shape.join() !== shape.join())
    throw new Error(
      `${name}: '${array.dtype}' ${pythonTupleRepr(array.shape)}, expected '${dtype}' ${pythonTupleRepr(shape)}`,
    );
  return array;
}

/** An hf-bitnet matmul test as a kernel case. */
function hfBitnetCase(dir: string, params: Json, test: Json, label: string): HfBitnetKernelCase {
  const [n, k, m] = [param(params, "rows"), param(params, "cols"), param(params, "batch")];
  const convention = params.scale;
  if (convention !== "multiply" && convention !== "divide") throw new Error("param 'scale' is not multiply or divide");
  const weight = roleArray(dir, test, "weight", "|u1", [n / 4, k]).data as Uint8Array;
  const scale = (roleArray(dir, test, "weight_scale", "<f4", [1]).data as Float32Array)[0];
  const x = roleArray(dir, test, "x", "<f4", [m, k]).data as Float32Array;
  return { n, k, m, weights: unpackHfBitnet(weight, n / 4, k), scale, convention, x, label };
}

/** A w2a8 matmul test as a kernel case. */
function w2a8Case(dir: string, params: Json, test: Json, label: string): W2a8KernelCase {
  const [n, k, m, wsNum] = [
    param(params, "rows"),
    param(params, "cols"),
    param(params, "batch"),
    param(params, "ws_num"),
  ];
  const weight = roleArray(dir, test, "weight", "|u1", [n, k / 4]).data as Uint8Array;
  const ws = roleArray(dir, test, "ws", "<f4", [Math.max(4, wsNum)]).data as Float32Array;
  const q = Int8Array.from(roleArray(dir, test, "x_q", "<i4", [m, k]).data as Int32Array);
  const s = roleArray(dir, test, "s", "<f4", [m]).data as Float32Array;
  return { n, k, m, weights: unpackW2a8(weight, n, k), ws, wsNum, q, s, label };
}

/**
 * The hf-bitnet and w2a8 matmul tests of the suite whose manifest is `manifestPath` (already checked by
 * readManifest), labelled "<suite> tc<id>", in manifest order. Error naming the test for a file that does not fit.
 */
export function bitlinearSuiteCases(manifestPath: string): BitlinearSuite {
  const dir = resolve(manifestPath, "..");
  const manifest = asObject(JSON.parse(readFileSync(manifestPath, "utf8"))) ?? {};
  const suite = typeof manifest.suite === "string" ? manifest.suite : dir;
  const hfBitnet: HfBitnetKernelCase[] = [];
  const w2a8: W2a8KernelCase[] = [];
  let codecTests = 0;
  for (const group of Array.isArray(manifest.testGroups) ? manifest.testGroups : []) {
    const g = asObject(group) ?? {};
    if (g.format !== HF_BITNET_FORMAT && g.format !== W2A8_FORMAT) continue;
    const tests = Array.isArray(g.tests) ? g.tests.map((t) => asObject(t) ?? {}) : [];
    if (g.op !== "matmul") {
      codecTests += tests.length;
      continue;
    }
    const params = asObject(g.params) ?? {};
    for (const test of tests) {
      const label = `${suite} tc${String(test.tcId)}`;
      try {
        if (g.format === HF_BITNET_FORMAT) hfBitnet.push(hfBitnetCase(dir, params, test, label));
        else w2a8.push(w2a8Case(dir, params, test, label));
      } catch (error) {
        throw new Error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return { hfBitnet, w2a8, codecTests };
}
