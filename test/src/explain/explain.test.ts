/**
 * The walk-through is computed from the reference codec: its hex dump, bit diagrams and worked
 * bytes are parsed back out of the text and checked against quantizeTq*Block.
 */
import { describe, expect, test } from "vitest";
import {
  QK_K,
  quantizeTq1Block,
  quantizeTq2Block,
  tq1ElementPosition,
  tq2ElementPosition,
  unpackTq1Block,
  unpackTq2Block,
} from "../../../reference/codec/index.js";
import { UsageError } from "../../../src/errors.js";
import {
  drawTriLmBlock,
  type ExplainFormat,
  explainBlock,
  mulberry32,
  parseExplainFormat,
  parseSeed,
  parseValueList,
  SEEDED_SCALE_RANGE,
} from "../../../src/explain/index.js";
import { bytesToHex } from "../../support/hex.js";

const QUANTIZERS: Record<ExplainFormat, (x: Float32Array) => Uint8Array> = {
  tq1_0: quantizeTq1Block,
  tq2_0: quantizeTq2Block,
};
const FORMATS: readonly ExplainFormat[] = ["tq1_0", "tq2_0"];
const SEEDS = [0, 1, 2, 42, 4294967295];
/** Inputs that reach every branch of the scale part: ties, off-grid, subnormal, inf, zero, id = inf. */
const VALUE_LISTS: readonly (readonly number[])[] = [
  [1, 0.5, -0.5],
  [0.1, 0.2, 0.3],
  [1, -1, 0],
  [1e-6, 5e-7, -1e-6],
  [100000, -3, 0],
  [1e-40, 0],
  [0],
  Array.from({ length: QK_K }, (_, e) => ((e * 37) % 11) - 5 + 0.25),
];

/** The block a value list stands for: zero-padded to 256, rounded to float32. */
function paddedBlock(values: readonly number[]): Float32Array {
  const x = new Float32Array(QK_K);
  x.set(values);
  return x;
}

/** The bytes of the hex dump (`   0040 | 0b 2a   | d …`), checking that its offsets run on. */
function hexDumpBytes(text: string): string {
  let hex = "";
  for (const match of text.matchAll(/^ {3}([0-9a-f]{4}) \| ([0-9a-f]{2}(?: [0-9a-f]{2})*) *\|/gm)) {
    expect(parseInt(match[1], 16)).toBe(hex.length / 2);
    hex += match[2].replaceAll(" ", "");
  }
  return hex;
}

describe("hex dump", () => {
  test.each(FORMATS.flatMap((format) => SEEDS.map((seed) => [format, seed] as const)))(
    "%s, seed %d: equals the reference quantizer's block",
    (format, seed) => {
      const text = explainBlock(format, { seed });
      expect(hexDumpBytes(text)).toBe(bytesToHex(QUANTIZERS[format](drawTriLmBlock(seed).values)));
    },
  );

  test.each(FORMATS.flatMap((format) => VALUE_LISTS.map((values) => [format, values] as const)))(
    "%s, values %j: equals the reference quantizer's block",
    (format, values) => {
      const text = explainBlock(format, { values });
      expect(hexDumpBytes(text)).toBe(bytesToHex(QUANTIZERS[format](paddedBlock(values))));
    },
  );
});

describe("TQ2_0 byte diagrams", () => {
  test.each(SEEDS)("seed %d: the bits drawn are the block's bits, at the elements tq2ElementPosition names", (seed) => {
    const block = quantizeTq2Block(drawTriLmBlock(seed).values);
    const { codes } = unpackTq2Block(block);
    const drawnBytes: number[] = [];
    let pairsChecked = 0;
    let currentByte = -1;
    for (const line of explainBlock("tq2_0", { seed }).split("\n")) {
      const head = /byte (\d+) = 0b([01]{2})_([01]{2})_([01]{2})_([01]{2}) = 0x([0-9a-f]{2})$/.exec(line);
      if (head) {
        currentByte = Number(head[1]);
        drawnBytes.push(currentByte);
        expect(parseInt(head.slice(2, 6).join(""), 2)).toBe(block[currentByte]);
        expect(parseInt(head[6], 16)).toBe(block[currentByte]);
        continue;
      }
      const pair = /[+]-+ bits (\d)-(\d) = ([01]{2}): e(\d+) +code (\d)/.exec(line);
      if (!pair) continue;
      const [shift, element, code] = [Number(pair[1]), Number(pair[4]), Number(pair[5])];
      expect(tq2ElementPosition(element)).toEqual({ byte: currentByte, shift });
      expect(parseInt(pair[3], 2)).toBe((block[currentByte] >> shift) & 3);
      expect(code).toBe(codes[element]);
      pairsChecked++;
    }
    expect(drawnBytes).toEqual([0, 1, 2, 3, 32]);
    expect(pairsChecked).toBe(20);
  });

  test("warns about the 4-consecutive-elements bug", () => {
    expect(explainBlock("tq2_0")).toMatch(/NOT "4 consecutive elements per byte"/);
  });
});

describe("TQ1_0 worked bytes", () => {
  test.each(SEEDS)("seed %d: bytes 0, 32, 48 agree with the block and decode to its codes", (seed) => {
    const block = quantizeTq1Block(drawTriLmBlock(seed).values);
    const { codes } = unpackTq1Block(block);
    const text = explainBlock("tq1_0", { seed });
    const workedBytes = [...text.matchAll(/block byte (\d+) = (\d+) = 0x([0-9a-f]{2}), as computed$/gm)];
    expect(workedBytes.map((m) => Number(m[1]))).toEqual([0, 32, 48]);
    for (const [, byte, value] of workedBytes) expect(Number(value)).toBe(block[Number(byte)]);

    const steps = [
      ...text.matchAll(/n = (\d): q = (\d+)·(\d+) +mod 256 = +(\d+), code = +(\d+) >> 8 = (\d) → e(\d+)$/gm),
    ];
    expect(steps).toHaveLength(5 + 5 + 4);
    for (const [, n, byteValue, power, q, q3, code, element] of steps) {
      const position = tq1ElementPosition(Number(element));
      expect(Number(byteValue)).toBe(block[position.byte]);
      expect(Number(n)).toBe(position.trit);
      expect(Number(power)).toBe(3 ** position.trit);
      expect(Number(q)).toBe((block[position.byte] * 3 ** position.trit) % 256);
      expect(Number(q3)).toBe(3 * Number(q));
      expect(Number(code)).toBe(codes[Number(element)]);
    }
  });

  test("the qh byte shows its always-zero 5th trit", () => {
    expect(explainBlock("tq1_0")).toMatch(/n = 4: .* → the 5th trit, ignored by decoders$/m);
  });
});

describe("determinism", () => {
  test("the same seed gives the same text; no input means seed 1", () => {
    expect(explainBlock("tq2_0", { seed: 5 })).toBe(explainBlock("tq2_0", { seed: 5 }));
    expect(explainBlock("tq1_0")).toBe(explainBlock("tq1_0", { seed: 1 }));
  });

  test("different seeds give different text", () => {
    const texts = new Set(SEEDS.map((seed) => explainBlock("tq2_0", { seed })));
    expect(texts.size).toBe(SEEDS.length);
  });

  test("mulberry32 is deterministic and uniform in [0, 1)", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });

  test("seeded blocks are trits (about a third zero) times one float32 scale in range", () => {
    let zeros = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { values, scale } = drawTriLmBlock(seed);
      expect(scale).toBe(Math.fround(scale));
      expect(scale).toBeGreaterThanOrEqual(SEEDED_SCALE_RANGE.min);
      expect(scale).toBeLessThanOrEqual(SEEDED_SCALE_RANGE.max);
      for (const v of values) expect([0, scale, -scale]).toContain(v);
      zeros += values.filter((v) => v === 0).length;
    }
    expect(zeros / (20 * QK_K)).toBeGreaterThan(0.28);
    expect(zeros / (20 * QK_K)).toBeLessThan(0.39);
  });
});

describe("what the text says", () => {
  test.each(FORMATS)("%s: the ties 0.5 and -0.5 round away from zero, as lroundf does", (format) => {
    const text = explainBlock(format, { values: [1, 0.5, -0.5] });
    // columns: e, x, x·id, lroundf, code
    expect(text).toMatch(/^ +1 +0\.5 +0\.5 +1 +2 +tie$/m);
    expect(text).toMatch(/^ +2 +-0\.5 +-0\.5 +-1 +0 +first code 0, tie$/m);
    expect(text).toMatch(/Tie at e2: x·id = -0\.5 exactly\. lroundf rounds halves away from zero: -1, so code 0\./);
    expect(text).toMatch(/Math\.round\(-0\.5\) would give -0/);
  });

  test("fewer than 256 values are padded with zeros, and the text says so", () => {
    expect(explainBlock("tq2_0", { values: [1, 0.5, -0.5] })).toMatch(
      /3 values given; elements 3\.\.255 are padded with 0/,
    );
  });

  test("d is split into sign, exponent and mantissa with its exact value", () => {
    const text = explainBlock("tq2_0", { values: [0.3] });
    expect(text).toMatch(/d = fp16\(amax\), rounded to nearest even = 0x34cd = 0b0_01101_0011001101/);
    expect(text).toMatch(
      /d = \(1 \+ 205\/1024\) · 2\^\(13 - 15\) = \(1 \+ 205\/1024\) · 2\^-2 = 0\.300048828125 exactly/,
    );
    expect(text).toMatch(/Rounding to fp16 changed the scale/);
  });

  test("round trip: exact for ternary values on an fp16 scale, otherwise counted", () => {
    expect(explainBlock("tq1_0", { values: [1, -1, 0] })).toMatch(/^ {3}round trip: exact/m);
    expect(explainBlock("tq2_0", { values: [0.1, 0.2, 0.3] })).toMatch(
      /round trip: 3 of 256 elements differ, max \|w - x\| = 0\.1 /,
    );
  });

  test.each([
    [[1e-6], "[lossy] scale-subnormal"],
    [[100000], "[lossy] scale-infinite"],
  ])("validation reports the scale of %j: %s", (values, finding) => {
    for (const format of FORMATS) expect(explainBlock(format, { values })).toContain(finding);
  });

  test("validation of a seeded block finds nothing", () => {
    expect(explainBlock("tq2_0")).toMatch(/No findings/);
  });

  test.each(FORMATS)("%s: every line fits 100 columns", (format) => {
    const inputs = [
      ...Array.from({ length: 30 }, (_, seed) => ({ seed })),
      ...VALUE_LISTS.map((values) => ({ values })),
      { values: [0.123456789012345, -1e-7, 3.4e38] },
    ];
    for (const input of inputs) {
      for (const line of explainBlock(format, input).split("\n")) expect(line.length, line).toBeLessThanOrEqual(100);
    }
  });
});

describe("bad input", () => {
  test.each([
    ["257 values", () => explainBlock("tq2_0", { values: new Array<number>(257).fill(1) })],
    ["no values", () => explainBlock("tq2_0", { values: [] })],
    ["NaN", () => explainBlock("tq2_0", { values: [1, NaN] })],
    ["Infinity", () => explainBlock("tq2_0", { values: [-Infinity] })],
    ["a value beyond float32", () => explainBlock("tq2_0", { values: [1e39] })],
    ["both values and seed", () => explainBlock("tq2_0", { values: [1], seed: 1 })],
    ["a negative seed", () => explainBlock("tq2_0", { seed: -1 })],
    ["a fractional seed", () => explainBlock("tq2_0", { seed: 1.5 })],
    ["a seed of 2^32", () => explainBlock("tq2_0", { seed: 2 ** 32 })],
    ["a non-number item", () => parseValueList("1,abc,3")],
    ["an empty item", () => parseValueList("1,,3")],
    ["a hex item", () => parseValueList("0x10")],
    ["the string NaN", () => parseValueList("NaN")],
    ["a non-numeric seed", () => parseSeed("abc")],
    ["an unknown format", () => parseExplainFormat("q4_0")],
    ["an unknown format from an untyped caller", () => explainBlock("q4_0" as ExplainFormat)],
  ])("%s: UsageError with a one-line message", (_, run) => {
    expect(run).toThrow(UsageError);
    try {
      run();
    } catch (error) {
      expect((error as Error).message).not.toMatch(/\n/);
      expect((error as Error).message.length).toBeGreaterThan(10);
    }
  });

  test("the parsers accept what the CLI passes", () => {
    expect(parseValueList(" 1, -0.5 ,2e-3,.25")).toEqual([1, -0.5, 0.002, 0.25]);
    expect(parseSeed("42")).toBe(42);
    expect(parseExplainFormat("TQ1_0")).toBe("tq1_0");
  });
});
