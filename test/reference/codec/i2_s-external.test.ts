/**
 * I2_S, I8_S and the I2_S dot product against bitnet.cpp's own code: golden/external/bitnet-cpp/ holds what
 * microsoft/BitNet 16da220a's `quantize_i2_s` (three builds: x86, ARM, 1x4), `ggml_vec_dot_i2_i8_s_1x1` (AVX2, and the
 * NEON path over scalar intrinsics), the Python converter's `quantize_to_i2_s`, and merge-dev's `quantize_row_i8_s`
 * and mul_mat scaling wrote (PROVENANCE.md there). Spec/bitnet.md §2–§3: every byte, every activation, every dot sum
 * and output bit must match, the lane-wrapped AVX2/NEON sums included.
 */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { f32ToBits } from "../../../reference/codec/float-bits.js";
import { i2sDotOutput, i2sDotRowSum, type I2sDotKernel } from "../../../reference/codec/i2_s-dot.js";
import {
  i2sScaleOffset,
  i2sTensorBytes,
  quantizeI2s,
  quantizeI2sPython,
  type I2sLayout,
} from "../../../reference/codec/i2_s.js";
import { quantizeRowI8s } from "../../../reference/codec/i8_s.js";

const GOLDEN = new URL("../../../golden/external/bitnet-cpp/", import.meta.url);

interface QuantizeCase {
  id: string;
  layout: I2sLayout;
  rows: number;
  cols: number;
  input: string;
  output: string;
  returned: number;
  untouchedBytes: [number, number] | null;
  untouchedCount: number;
}
interface PythonCase {
  id: string;
  rows: number;
  cols: number;
  input: string;
  overrideScale: number | null;
  output?: string;
  error?: string;
}
interface I8sCase {
  id: string;
  n: number;
  input: string;
  output: string;
  scaleBits: string;
  sum: number;
}
interface DotCase {
  id: string;
  kernel: "avx2-1x1" | "neon-1x1";
  rows: number;
  k: number;
  weights: string;
  activations: string;
  actScaleBits: string;
  actSum: number;
  sumBits: string[];
  outputBits: string[];
}
interface Manifest {
  quantize: QuantizeCase[];
  python: PythonCase[];
  i8s: I8sCase[];
  dot: DotCase[];
}

const manifest = JSON.parse(readFileSync(new URL("cases.json", GOLDEN), "utf8")) as Manifest;
const bytesOf = (file: string): Uint8Array => new Uint8Array(readFileSync(new URL(file, GOLDEN)));
const f32Of = (file: string): Float32Array => {
  const bytes = bytesOf(file);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};
const i8Of = (file: string): Int8Array => {
  const bytes = bytesOf(file);
  return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};
const hex = (x: number): string => f32ToBits(x).toString(16).padStart(8, "0");
const bitsToFloat = (bits: string): number => new Float32Array(Uint32Array.of(parseInt(bits, 16)).buffer)[0];

/** Indices where two byte arrays differ (for a readable failure). */
function differingBytes(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) out.push(i);
  return out.slice(0, 8);
}

describe("quantize_i2_s (bitnet.cpp, three builds)", () => {
  let matched = 0;
  let total = 0;
  test.each(manifest.quantize.map((c) => [c.id, c] as const))("%s: every byte", (_, c) => {
    const shape = { rows: c.rows, cols: c.cols };
    const expected = bytesOf(c.output);
    const actual = quantizeI2s(c.layout, shape, f32Of(c.input));
    expect(differingBytes(actual, expected)).toEqual([]);
    expect(c.returned).toBe(i2sTensorBytes(shape));
    // The C function never writes the 28 pad bytes after the scale (a 0x00 and a 0xFF prefilled buffer differ there only).
    expect(c.untouchedBytes).toEqual([i2sScaleOffset(shape) + 4, i2sTensorBytes(shape)]);
    expect(c.untouchedCount).toBe(28);
    matched += expected.length;
    total += expected.length;
  });
  test("all cases counted", () => {
    expect(total).toBeGreaterThan(0);
    expect(matched).toBe(total);
    process.stdout.write(
      `[bitnet-cpp] quantize_i2_s: ${matched}/${total} bytes in ${manifest.quantize.length} cases\n`,
    );
  });
});

describe("quantize_to_i2_s (the Python converter)", () => {
  test.each(manifest.python.map((c) => [c.id, c] as const))("%s", (_, c) => {
    const shape = { rows: c.rows, cols: c.cols };
    const run = (): Uint8Array => quantizeI2sPython(shape, f32Of(c.input), c.overrideScale ?? undefined);
    if (c.error !== undefined) {
      expect(c.error).toMatch(/^ValueError: could not broadcast/);
      expect(run).toThrow(/not a multiple of 128/);
      return;
    }
    expect(differingBytes(run(), bytesOf(c.output as string))).toEqual([]);
  });
});

describe("quantize_row_i8_s (merge-dev)", () => {
  test.each(manifest.i8s.map((c) => [c.id, c] as const))("%s: q, scale and sum", (_, c) => {
    const row = quantizeRowI8s(f32Of(c.input));
    expect(Array.from(row.q)).toEqual(Array.from(i8Of(c.output)));
    expect(hex(row.scale)).toBe(c.scaleBits);
    expect(row.sum).toBe(c.sum);
  });
});

describe("ggml_vec_dot_i2_i8_s_1x1 and merge-dev's scaling", () => {
  const exactKernel = (kernel: DotCase["kernel"]): I2sDotKernel => (kernel === "avx2-1x1" ? "exact-x86" : "exact-arm");
  let rowsChecked = 0;
  test.each(manifest.dot.map((c) => [c.id, c] as const))("%s: every row's sum and output bits", (_, c) => {
    const weights = bytesOf(c.weights);
    const q = i8Of(c.activations);
    const weightScale = new DataView(weights.buffer, weights.byteOffset).getFloat32(
      Math.floor((c.rows * c.k) / 4),
      true,
    );
    for (let r = 0; r < c.rows; r++) {
      const row = weights.subarray(Math.floor((r * c.k) / 4));
      const dot = i2sDotRowSum(c.kernel, row, q, c.k);
      expect(hex(dot.sum), `row ${r} sum`).toBe(c.sumBits[r]);
      expect(hex(i2sDotOutput(dot.sum, c.actSum, bitsToFloat(c.actScaleBits), weightScale)), `row ${r} y`).toBe(
        c.outputBits[r],
      );
      // A kernel's sum differs from the exact one only where an int16 lane wrapped, and then the oracle says so.
      expect(dot.eventCount > 0, `row ${r} lane events`).toBe(dot.sum !== dot.exactSum);
      expect(i2sDotRowSum(exactKernel(c.kernel), row, q, c.k).sum).toBe(dot.exactSum | 0);
      rowsChecked++;
    }
  });

  test("all rows counted", () => {
    const rows = manifest.dot.reduce((n, c) => n + c.rows, 0);
    expect(rowsChecked).toBe(rows);
    process.stdout.write(
      `[bitnet-cpp] vec_dot_i2_i8_s_1x1: ${rowsChecked}/${rows} rows (sum and y bits) in ${manifest.dot.length} cases\n`,
    );
  });

  test("the adversarial cases wrap exactly where the int16 bound says (kernel-bugs B5, B6)", () => {
    const wrapped = (id: string): boolean => {
      const c = manifest.dot.find((d) => d.id === id) as DotCase;
      return (
        bitsToFloat(c.sumBits[0]) !==
        i2sDotRowSum(exactKernel(c.kernel), bytesOf(c.weights), i8Of(c.activations), c.k).exactSum
      );
    };
    // AVX2: 8 products of 2·127 per lane per 128-block → wraps from 17 blocks (k = 2176); NEON: from 17 blocks of 64.
    expect(["2176", "2048", "1088", "1024"].map((k) => wrapped(`wrap-threshold-${k}.avx2-1x1`))).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(["2176", "2048", "1088", "1024"].map((k) => wrapped(`wrap-threshold-${k}.neon-1x1`))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(
      wrapped("wrap-plus127.avx2-1x1") && wrapped("wrap-minus128.avx2-1x1") && wrapped("wrap-plus127.neon-1x1"),
    ).toBe(true);
    expect(wrapped("mixed-signs.avx2-1x1") || wrapped("random.avx2-1x1") || wrapped("random.neon-1x1")).toBe(false);
  });

  test("an x86-packed file through the ARM kernel is scrambled, not merely rounded (kernel-bugs B1)", () => {
    const b1 = manifest.dot.find((d) => d.id === "b1-x86-file.neon-1x1") as DotCase;
    const right = manifest.dot.find((d) => d.id === "random.avx2-1x1") as DotCase;
    expect(b1.weights).toBe(right.weights);
    const differing = b1.outputBits.filter((bits, r) => bits !== right.outputBits[r]);
    expect(differing).toHaveLength(b1.rows);
  });
});

describe("golden/external/bitnet-cpp/", () => {
  test("every file matches the sha256 list in PROVENANCE.md, and every file is listed", () => {
    const provenance = readFileSync(new URL("PROVENANCE.md", GOLDEN), "utf8");
    const listed = new Map<string, { bytes: number; sha256: string }>();
    for (const [, path, bytes, sha256] of provenance.matchAll(/^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|$/gm)) {
      listed.set(path, { bytes: Number(bytes), sha256 });
    }
    const present: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(new URL(dir, GOLDEN))) {
        const rel = `${dir}${name}`;
        if (statSync(new URL(rel, GOLDEN)).isDirectory()) walk(`${rel}/`);
        else if (rel !== "PROVENANCE.md") present.push(rel);
      }
    };
    walk("");
    expect(present.sort()).toEqual([...listed.keys()].sort());
    for (const path of present) {
      const bytes = bytesOf(path);
      expect({ path, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") }).toEqual({
        path,
        ...listed.get(path),
      });
    }
  });
});
