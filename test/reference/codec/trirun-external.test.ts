/**
 * The TriRun codec against TriRun's own packer: golden/external/trirun/ holds 33 cases of `Layer.pack`
 * (NolanoOrg/TriRun 097445fe, run on CPU; provenance, seeds and sha256 in its PROVENANCE.md), each the
 * inputs (codes, logical scales) and TriRun's outputs (B, permuted s). Spec/trirun.md §11: packTrirun
 * must give TriRun's B word for word and s bit for bit, and unpackTrirun must give the inputs back.
 */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { packTrirun, unpackTrirun, type TrirunGroupSize, type TrirunMatrix } from "../../../reference/codec/trirun.js";
import { parseNpy, type NpyArray } from "../../../src/io/npy.js";

const GOLDEN = new URL("../../../golden/external/trirun/", import.meta.url);

/** Read `<case>/<file>` as a .npy array. */
function readNpy(caseId: string, file: string): NpyArray {
  return parseNpy(new Uint8Array(readFileSync(new URL(`${caseId}/${file}`, GOLDEN))), `${caseId}/${file}`);
}

/** The typed array each dtype the cases use is read into. */
interface NpyData {
  "|u1": Uint8Array;
  "<i4": Int32Array;
  "<f2": Uint16Array;
}

/** The array's data, checked to have the dtype and shape the provenance promises. */
function dataOf<D extends keyof NpyData>(array: NpyArray, dtype: D, shape: readonly number[]): NpyData[D] {
  expect(array.dtype).toBe(dtype);
  expect(array.shape).toEqual(shape);
  return array.data as NpyData[D];
}

/** The case's codes, uint8 (k, n): `codes.npy` as is, or `codes-2bit.npy` (k, n/4), four codes per byte along n, LSB first. */
function readCodes(caseId: string, k: number, n: number): Uint8Array {
  const files = readdirSync(new URL(`${caseId}/`, GOLDEN));
  if (files.includes("codes.npy")) return dataOf(readNpy(caseId, "codes.npy"), "|u1", [k, n]);
  const packed = dataOf(readNpy(caseId, "codes-2bit.npy"), "|u1", [k, n / 4]);
  const codes = new Uint8Array(k * n);
  for (let i = 0; i < codes.length; i++) codes[i] = (packed[i >> 2] >> (2 * (i & 3))) & 3;
  return codes;
}

/** One case: its shape from the B.npy and scales.npy headers, its scale mode from its id. */
interface GoldenCase {
  readonly id: string;
  readonly matrix: TrirunMatrix;
  readonly B: Int32Array;
  readonly s: Uint16Array;
}

function readCase(id: string): GoldenCase {
  const bArray = readNpy(id, "B.npy");
  const [rows16, n] = bArray.shape;
  const k = 16 * rows16;
  const groupSize: TrirunGroupSize = id.includes("-g128") ? 128 : -1;
  expect(id.includes("-pc") || groupSize === 128, `${id} names its scale mode`).toBe(true);
  const groups = groupSize === -1 ? 1 : k / 128;
  const B = dataOf(bArray, "<i4", [k / 16, n]);
  const s = dataOf(readNpy(id, "s.npy"), "<f2", [groups, n]);
  const scales = dataOf(readNpy(id, "scales.npy"), "<f2", [groups, n]);
  return { id, matrix: { k, n, groupSize, codes: readCodes(id, k, n), scales }, B, s };
}

/** The first index where two arrays differ, or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const CASE_IDS = readdirSync(GOLDEN)
  .filter((name) => statSync(new URL(name, GOLDEN)).isDirectory())
  .sort();

describe("golden/external/trirun: TriRun's own Layer.pack", () => {
  test("has at least 20 cases, both scale modes", () => {
    expect(CASE_IDS.length).toBeGreaterThanOrEqual(20);
    expect(CASE_IDS.filter((id) => id.includes("-pc")).length).toBeGreaterThanOrEqual(8);
    expect(CASE_IDS.filter((id) => id.includes("-g128")).length).toBeGreaterThanOrEqual(9);
  });

  test("every file matches the sha256 list in PROVENANCE.md, and every file is listed", () => {
    const provenance = readFileSync(new URL("PROVENANCE.md", GOLDEN), "utf8");
    const listed = new Map<string, { bytes: number; sha256: string }>();
    for (const [, path, bytes, sha256] of provenance.matchAll(/^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|$/gm)) {
      listed.set(path, { bytes: Number(bytes), sha256 });
    }
    const present = CASE_IDS.flatMap((id) => readdirSync(new URL(`${id}/`, GOLDEN)).map((file) => `${id}/${file}`));
    expect([...listed.keys()].sort()).toEqual(present.sort());
    for (const [path, expected] of listed) {
      const bytes = readFileSync(new URL(path, GOLDEN));
      expect({ path, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") }).toEqual({
        path,
        ...expected,
      });
    }
  });

  test.each(CASE_IDS)("%s: pack gives TriRun's B and s exactly, unpack gives the inputs back", (id) => {
    const { matrix, B, s } = readCase(id);
    const packed = packTrirun(matrix);
    expect(firstDifference(packed.B, B), `${id}: first B word that differs`).toBe(-1);
    expect(firstDifference(packed.s, s), `${id}: first s entry that differs`).toBe(-1);
    const unpacked = unpackTrirun({ k: matrix.k, n: matrix.n, groupSize: matrix.groupSize, B, s });
    expect(firstDifference(unpacked.codes, matrix.codes), `${id}: first code that differs`).toBe(-1);
    expect(firstDifference(unpacked.scales, matrix.scales), `${id}: first scale that differs`).toBe(-1);
  });
});
