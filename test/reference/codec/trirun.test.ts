/**
 * reference/codec/trirun.ts — TriRun's packed weight layout (spec/trirun.md §2–§6, §9).
 *
 * Oracles, written here independently of the codec's helpers:
 * - `_get_perms` (trirun/__init__.py, NolanoOrg/TriRun 097445fe), step by step: Marlin's lane loop, then
 *   `perm.reshape((-1, 8))[:, [0, 2, 4, 6, 1, 3, 5, 7]]`, then `perm.reshape((-1, 16))[:, [0, 8, 1, 9, …, 7, 15]]`;
 *   `scale_perm` (i + 8j) and `scale_perm_single` (2i + j, j ∈ [0, 1, 8, 9, 16, 17, 24, 25]).
 * - `Layer.pack`'s tensor steps, as array index arithmetic: w (k, n) → reshape (k/16, 16, n/16, 16) →
 *   permute (0, 2, 1, 3) → reshape (k/16, 16n) → each run of 1024 gathered by perm → q[:, c] |= res[:, 16c + i] << 2i;
 *   s reshaped into runs of 64 (k/128 ≥ 2 groups) or 32 (one scale row) and gathered.
 * TriRun's own outputs are checked in trirun-external.test.ts.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  MARLIN_INTERLEAVE,
  TRIRUN_CRUMB_INTERLEAVE,
  TrirunShapeError,
  assertTrirunShape,
  packTrirun,
  permuteTrirunScales,
  trirunColumnScalePermutation,
  trirunElementAt,
  trirunElementLocation,
  trirunElementLocationClosedForm,
  trirunGroupedScalePermutation,
  trirunScalePermutation,
  trirunScaleRows,
  trirunShapeProblems,
  trirunWeightPermutation,
  unpackTrirun,
  unpermuteTrirunScales,
  validateTrirun,
  type TrirunGroupSize,
  type TrirunMatrix,
  type TrirunShape,
} from "../../../reference/codec/trirun.js";
import { checkProperty } from "../../support/property.js";

/** `_get_perms`' weight permutation, its three steps written out as the Python does them. */
function getPermsWeight(): number[] {
  const base: number[] = [];
  for (let i = 0; i < 32; i++) {
    const perm1: number[] = [];
    const col = Math.floor(i / 4);
    for (const block of [0, 1]) {
      for (const row of [2 * (i % 4), 2 * (i % 4) + 1, 2 * ((i % 4) + 4), 2 * ((i % 4) + 4) + 1]) {
        perm1.push(16 * row + col + 8 * block);
      }
    }
    for (let j = 0; j < 4; j++) base.push(...perm1.map((p) => p + 256 * j));
  }
  const interleave = [0, 2, 4, 6, 1, 3, 5, 7];
  const interleaved: number[] = [];
  for (let r = 0; r < base.length / 8; r++) interleaved.push(...interleave.map((c) => base[8 * r + c]));
  const interleaveMore = [0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15];
  const perm: number[] = [];
  for (let r = 0; r < interleaved.length / 16; r++) perm.push(...interleaveMore.map((c) => interleaved[16 * r + c]));
  return perm;
}

const GET_PERMS_WEIGHT = getPermsWeight();
const SCALE_PERM = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => [0, 1, 2, 3, 4, 5, 6, 7].map((j) => i + 8 * j));
const SCALE_PERM_SINGLE = [0, 1, 2, 3].flatMap((i) => [0, 1, 8, 9, 16, 17, 24, 25].map((j) => 2 * i + j));

/** `Layer.pack` as index arithmetic over its tensors (see the file comment); the oracle for packTrirun. */
function layerPack(matrix: TrirunMatrix): { B: Int32Array; s: Uint16Array } {
  const { k, n } = matrix;
  // res[r][16·nt·16 + 16·kk + nn] = w[16r + kk][16nt + nn]   (reshape (k/16, 16, n/16, 16), permute (0, 2, 1, 3))
  const res = new Uint8Array(k * n);
  for (let r = 0; r < k / 16; r++)
    for (let kk = 0; kk < 16; kk++)
      for (let nt = 0; nt < n / 16; nt++)
        for (let nn = 0; nn < 16; nn++)
          res[r * 16 * n + 256 * nt + 16 * kk + nn] = matrix.codes[(16 * r + kk) * n + 16 * nt + nn];
  // res.reshape((-1, 1024))[:, perm]
  const gathered = new Uint8Array(k * n);
  for (let g = 0; g < res.length; g += 1024)
    for (let j = 0; j < 1024; j++) gathered[g + j] = res[g + GET_PERMS_WEIGHT[j]];
  // q |= res[:, i::16] << 2i   (rows of 16n codes, n words each)
  const B = new Int32Array((k / 16) * n);
  for (let w = 0; w < B.length; w++) for (let i = 0; i < 16; i++) B[w] |= (gathered[16 * w + i] & 3) << (2 * i);
  const scalePerm = matrix.groupSize === 128 && k !== 128 ? SCALE_PERM : SCALE_PERM_SINGLE;
  const s = new Uint16Array(matrix.scales.length);
  for (let g = 0; g < s.length; g += scalePerm.length) {
    for (let j = 0; j < scalePerm.length; j++) s[g + j] = matrix.scales[g + scalePerm[j]];
  }
  return { B, s };
}

/** A random matrix's recipe: k ∈ {128, 256, 384}, n ∈ {256, 512}, both modes, a seed (short counterexamples). */
interface MatrixRecipe {
  readonly k: number;
  readonly n: number;
  readonly groupSize: TrirunGroupSize;
  readonly seed: number;
}

const recipeArb: fc.Arbitrary<MatrixRecipe> = fc.record({
  k: fc.constantFrom(128, 256, 384),
  n: fc.constantFrom(256, 512),
  groupSize: fc.constantFrom<TrirunGroupSize>(-1, 128),
  seed: fc.integer(),
});

/** The recipe's matrix: codes 0..3 (3 included) and any fp16 bits, from a xorshift32 stream. */
function matrixOf({ k, n, groupSize, seed }: MatrixRecipe): TrirunMatrix {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const codes = Uint8Array.from({ length: k * n }, () => next() & 3);
  const scales = Uint16Array.from({ length: trirunScaleRows({ k, n, groupSize }) * n }, () => next() & 0xffff);
  return { k, n, groupSize, codes, scales };
}

/** Typed-array equality that stays fast on 10⁵ elements: the first differing index, or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Every shape up to 256 × 512 TriRun accepts. */
const SMALL_SHAPES: { k: number; n: number }[] = [128, 256].flatMap((k) => [256, 512].map((n) => ({ k, n })));

describe("the weight permutation", () => {
  test("is _get_perms' definition, re-derived step by step", () => {
    expect(Array.from(trirunWeightPermutation())).toEqual(GET_PERMS_WEIGHT);
    expect(MARLIN_INTERLEAVE).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    expect(TRIRUN_CRUMB_INTERLEAVE).toEqual([0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15]);
  });

  test("is a permutation of 0..1023", () => {
    const sorted = Array.from(trirunWeightPermutation()).sort((a, b) => a - b);
    expect(sorted).toEqual(Array.from({ length: 1024 }, (_, i) => i));
  });
});

describe("the scale permutations", () => {
  test("are _get_perms' scale_perm (an 8 × 8 transpose) and scale_perm_single", () => {
    expect(Array.from(trirunGroupedScalePermutation())).toEqual(SCALE_PERM);
    expect(SCALE_PERM.slice(0, 10)).toEqual([0, 8, 16, 24, 32, 40, 48, 56, 1, 9]);
    expect(Array.from(trirunColumnScalePermutation())).toEqual(SCALE_PERM_SINGLE);
    expect(SCALE_PERM_SINGLE.slice(0, 10)).toEqual([0, 1, 8, 9, 16, 17, 24, 25, 2, 3]);
  });

  test("one scale row (per column, or grouped with k = 128) takes the per-column permutation", () => {
    expect(Array.from(trirunScalePermutation({ k: 128, n: 256, groupSize: 128 }))).toEqual(SCALE_PERM_SINGLE);
    expect(Array.from(trirunScalePermutation({ k: 3072, n: 256, groupSize: -1 }))).toEqual(SCALE_PERM_SINGLE);
    expect(Array.from(trirunScalePermutation({ k: 256, n: 256, groupSize: 128 }))).toEqual(SCALE_PERM);
  });

  test("permute and unpermute invert each other", () => {
    for (const shape of [
      { k: 128, n: 256, groupSize: -1 },
      { k: 128, n: 512, groupSize: 128 },
      { k: 384, n: 256, groupSize: 128 },
      { k: 1024, n: 512, groupSize: 128 },
    ] satisfies TrirunShape[]) {
      const scales = Uint16Array.from({ length: trirunScaleRows(shape) * shape.n }, (_, i) => (i * 2654435761) >>> 16);
      const permuted = permuteTrirunScales(shape, scales);
      expect(permuted).not.toEqual(scales);
      expect(unpermuteTrirunScales(shape, permuted)).toEqual(scales);
      expect(permuteTrirunScales(shape, unpermuteTrirunScales(shape, scales))).toEqual(scales);
    }
  });
});

describe("element locations", () => {
  test("the closed form equals the table-driven map for every element of every shape up to 256 × 512", () => {
    for (const { k, n } of SMALL_SHAPES) {
      for (let kIndex = 0; kIndex < k; kIndex++) {
        for (let nIndex = 0; nIndex < n; nIndex++) {
          const table = trirunElementLocation(n, kIndex, nIndex);
          const closed = trirunElementLocationClosedForm(n, kIndex, nIndex);
          if (
            table.word !== closed.word ||
            table.crumb !== closed.crumb ||
            table.row !== closed.row ||
            table.column !== closed.column
          ) {
            expect({ k, n, kIndex, nIndex, closed }).toEqual({ k, n, kIndex, nIndex, closed: table });
          }
        }
      }
    }
  });

  test("every crumb of every word holds exactly one element, and trirunElementAt inverts the map", () => {
    for (const { k, n } of SMALL_SHAPES) {
      const hits = new Uint8Array((k / 16) * n * 16);
      for (let kIndex = 0; kIndex < k; kIndex++) {
        for (let nIndex = 0; nIndex < n; nIndex++) {
          const { row, column, word, crumb } = trirunElementLocation(n, kIndex, nIndex);
          expect(word).toBe(row * n + column);
          hits[16 * word + crumb]++;
          const back = trirunElementAt(row, column, crumb);
          if (back.k !== kIndex || back.n !== nIndex) expect(back).toEqual({ k: kIndex, n: nIndex });
        }
      }
      expect(hits.every((h) => h === 1)).toBe(true);
      const wrong: string[] = [];
      for (let word = 0; word < hits.length / 16; word++) {
        for (let crumb = 0; crumb < 16; crumb++) {
          const { k: kIndex, n: nIndex } = trirunElementAt(Math.floor(word / n), word % n, crumb);
          const there = trirunElementLocation(n, kIndex, nIndex);
          if (there.word !== word || there.crumb !== crumb) wrong.push(`${k}×${n}: word ${word} crumb ${crumb}`);
        }
      }
      expect(wrong).toEqual([]);
    }
  });

  test("the corners of the first and last tile (examples)", () => {
    expect(trirunElementLocation(256, 0, 0)).toEqual({ row: 0, column: 0, word: 0, crumb: 0 });
    expect(trirunElementLocation(256, 1, 0)).toEqual({ row: 0, column: 0, word: 0, crumb: 8 });
    expect(trirunElementLocation(256, 255, 255)).toEqual(trirunElementLocationClosedForm(256, 255, 255));
  });
});

describe("packTrirun and unpackTrirun", () => {
  test("pack is Layer.pack's tensor steps, and unpack(pack(x)) = x, for random shapes, both modes, code 3 included", () => {
    checkProperty(
      "trirun pack = Layer.pack, unpack∘pack = id",
      fc.property(recipeArb, (recipe) => {
        const matrix = matrixOf(recipe);
        const packed = packTrirun(matrix);
        const oracle = layerPack(matrix);
        expect(firstDifference(packed.B, oracle.B)).toBe(-1);
        expect(firstDifference(packed.s, oracle.s)).toBe(-1);
        const back = unpackTrirun(packed);
        expect(firstDifference(back.codes, matrix.codes)).toBe(-1);
        expect(firstDifference(back.scales, matrix.scales)).toBe(-1);
        expect([back.k, back.n, back.groupSize]).toEqual([matrix.k, matrix.n, matrix.groupSize]);
      }),
      { numRuns: 25 },
    );
  });

  test("pack is a bijection on codes: changing one code changes exactly its crumb of its word", () => {
    checkProperty(
      "trirun pack is injective on codes",
      fc.property(recipeArb, fc.nat(), fc.integer({ min: 1, max: 3 }), (recipe, at, delta) => {
        const matrix = matrixOf(recipe);
        const index = at % (matrix.k * matrix.n);
        const changed = Uint8Array.from(matrix.codes);
        changed[index] = (changed[index] + delta) & 3;
        const before = packTrirun(matrix).B;
        const after = packTrirun({ ...matrix, codes: changed }).B;
        const { word, crumb } = trirunElementLocation(matrix.n, Math.floor(index / matrix.n), index % matrix.n);
        const differing: number[] = [];
        for (let i = 0; i < before.length; i++) if (before[i] !== after[i]) differing.push(i);
        expect(differing).toEqual([word]);
        expect((before[word] ^ after[word]) & ~(3 << (2 * crumb))).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  test("pack(unpack(B)) = B for arbitrary 32-bit words", () => {
    checkProperty(
      "trirun pack∘unpack = id on B",
      fc.property(recipeArb, (recipe) => {
        const matrix = matrixOf(recipe);
        const B = Int32Array.from(
          packTrirun(matrix).B,
          (_, i) => (i * 2654435761) ^ matrix.codes[i % matrix.codes.length],
        );
        const s = Uint16Array.from(matrix.scales);
        const again = packTrirun(unpackTrirun({ k: matrix.k, n: matrix.n, groupSize: matrix.groupSize, B, s }));
        expect(firstDifference(again.B, B)).toBe(-1);
        expect(firstDifference(again.s, s)).toBe(-1);
      }),
      { numRuns: 10 },
    );
  });

  test("refuse arrays whose length does not match the shape", () => {
    const shape = { k: 128, n: 256, groupSize: -1 } as const;
    expect(() => packTrirun({ ...shape, codes: new Uint8Array(128 * 256 - 1), scales: new Uint16Array(256) })).toThrow(
      /codes has 32767 entries, expected 32768/,
    );
    expect(() => packTrirun({ ...shape, codes: new Uint8Array(128 * 256), scales: new Uint16Array(512) })).toThrow(
      /scales has 512 entries, expected 256/,
    );
    expect(() => unpackTrirun({ ...shape, B: new Int32Array(8 * 256), s: new Uint16Array(255) })).toThrow(
      TrirunShapeError,
    );
  });
});

describe("shapes", () => {
  test("trirunShapeProblems names each constraint TriRun's Layer enforces", () => {
    expect(trirunShapeProblems({ k: 128, n: 256, groupSize: -1 })).toEqual([]);
    expect(trirunShapeProblems({ k: 3072, n: 3072, groupSize: 128 })).toEqual([]);
    expect(trirunShapeProblems({ k: 64, n: 256, groupSize: -1 })).toEqual([
      "k = 64 must be a positive multiple of 128",
    ]);
    expect(trirunShapeProblems({ k: 0, n: 256, groupSize: -1 })).toEqual(["k = 0 must be a positive multiple of 128"]);
    expect(trirunShapeProblems({ k: 128.5, n: 256, groupSize: -1 })).toHaveLength(1);
    expect(trirunShapeProblems({ k: 128, n: 128, groupSize: -1 })).toEqual([
      "n = 128 must be a positive multiple of 256",
    ]);
    expect(trirunShapeProblems({ k: 128, n: -256, groupSize: -1 })).toHaveLength(1);
    expect(trirunShapeProblems({ k: 128, n: 256, groupSize: 64 as TrirunGroupSize })).toEqual([
      "group size 64 must be -1 (per column) or 128",
    ]);
    expect(trirunShapeProblems({ k: 100, n: 300, groupSize: 32 as TrirunGroupSize })).toHaveLength(3);
  });

  test("assertTrirunShape and pack throw TrirunShapeError with every problem in one line", () => {
    expect(() => assertTrirunShape({ k: 100, n: 300, groupSize: -1 })).toThrow(
      new TrirunShapeError(
        "TriRun shape 100×300: k = 100 must be a positive multiple of 128; n = 300 must be a positive multiple of 256",
      ),
    );
    expect(() =>
      packTrirun({ k: 128, n: 128, groupSize: -1, codes: new Uint8Array(128 * 128), scales: new Uint16Array(128) }),
    ).toThrow(TrirunShapeError);
  });
});

describe("validateTrirun", () => {
  const ONE = 0x3c00;

  /** A clean 256 × 256 matrix (random ternary codes, scales 1.0) in the given mode, with `edit` applied. */
  function packedWith(groupSize: TrirunGroupSize, edit: (m: { codes: Uint8Array; scales: Uint16Array }) => void) {
    const k = 256;
    const n = 256;
    const codes = Uint8Array.from({ length: k * n }, (_, i) => (i * 7919) % 3);
    const scales = new Uint16Array(trirunScaleRows({ k, n, groupSize }) * n).fill(ONE);
    edit({ codes, scales });
    return packTrirun({ k, n, groupSize, codes, scales });
  }

  test("a clean matrix has no findings, in both modes", () => {
    expect(validateTrirun(packedWith(-1, () => {}))).toEqual([]);
    expect(validateTrirun(packedWith(128, () => {}))).toEqual([]);
  });

  test("code 3 is found at its (k, n) and B word", () => {
    const packed = packedWith(-1, ({ codes }) => (codes[37 * 256 + 201] = 3));
    const { word, crumb } = trirunElementLocation(256, 37, 201);
    expect(validateTrirun(packed)).toEqual([
      {
        kind: "code-3",
        severity: "invalid",
        k: 37,
        n: 201,
        index: word,
        message: `code 3 (+2) at k=37, n=201 (B word ${word}, crumb ${crumb}): not a ternary weight`,
      },
    ]);
  });

  test.each([
    ["scale-nan", 0x7e00, "invalid"],
    ["scale-infinite", 0x7c00, "invalid"],
    ["scale-infinite", 0xfc00, "invalid"],
    ["scale-negative", 0xbc00, "non-canonical"],
    ["scale-zero-with-codes", 0x0000, "non-canonical"],
  ] as const)("%s (fp16 bits %i) is found at its column, group and s index, in both modes", (kind, bits, severity) => {
    for (const [groupSize, group] of [
      [-1, 0],
      [128, 1],
    ] as const) {
      const nIndex = 77;
      const packed = packedWith(groupSize, ({ scales }) => (scales[group * 256 + nIndex] = bits));
      const findings = validateTrirun(packed);
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ kind, severity, k: 128 * group, n: nIndex });
      expect(packed.s[findings[0].index]).toBe(bits);
      expect(findings[0].message).toContain(`s[${findings[0].index}]`);
    }
  });

  test("a zero scale over codes that are all t = 0 is no finding; -0 neither", () => {
    const packed = packedWith(128, ({ codes, scales }) => {
      for (let kIndex = 128; kIndex < 256; kIndex++) codes[kIndex * 256 + 5] = 1;
      scales[256 + 5] = 0x0000;
      scales[256 + 6] = 0x8000;
      for (let kIndex = 128; kIndex < 256; kIndex++) codes[kIndex * 256 + 6] = 1;
    });
    expect(validateTrirun(packed)).toEqual([]);
  });

  test("stops at the limit", () => {
    const packed = packedWith(-1, ({ codes, scales }) => {
      codes.fill(3);
      scales.fill(0x7e00);
    });
    expect(validateTrirun(packed)).toHaveLength(64);
    expect(validateTrirun(packed, 5)).toHaveLength(5);
    expect(validateTrirun(packed, 5).every((f) => f.kind === "code-3")).toBe(true);
    const scalesOnly = packedWith(-1, ({ scales }) => scales.fill(0x7e00));
    expect(validateTrirun(scalesOnly, 3).map((f) => f.n)).toEqual([0, 1, 2]);
  });
});
