import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  dequantizeRow,
  GgmlType,
  unpackQ8KBlock,
  unpackTq1Block,
  unpackTq2Block,
  f16BitsToF32,
} from "../../../../reference/codec/index.js";
import type { FileEntry, Manifest } from "../../../../src/golden/manifest-core.js";
import {
  hexBytes,
  hexDigest,
  previewFile,
  previewNpy,
  previewPacked,
} from "../../../../src/web/golden/file-preview.js";
import { repoFile } from "../../cli/harness.js";

const suiteDir = (suite: string): string => repoFile(`golden/suites/${suite}`);
const manifestOf = (suite: string): Manifest =>
  JSON.parse(readFileSync(`${suiteDir(suite)}/manifest.json`, "utf8")) as Manifest;
const bytesOf = (suite: string, entry: FileEntry): Uint8Array =>
  new Uint8Array(readFileSync(`${suiteDir(suite)}/${entry.file}`));
const GGML = { tq1_0: GgmlType.TQ1_0, tq2_0: GgmlType.TQ2_0, q8_K: GgmlType.Q8_K } as const;

const codecs = manifestOf("codecs");
const dequantizeTests = codecs.testGroups
  .filter((g) => g.op === "dequantize")
  .flatMap((g) => g.tests.map((t) => ({ format: g.format, params: g.params, test: t })));

describe("previewNpy of the codecs suite's decoded rows", () => {
  test.each(dequantizeTests.map((c) => [c.test.tcId, c] as const))(
    "tcId %i: shape, count, min, max and first values match the reference decoder on weight.bin",
    (_id, c) => {
      const weight = c.test.files.weight;
      const w = c.test.files.w;
      const cols = weight.shape[1];
      const expected = new Float32Array(weight.shape[0] * cols);
      const packed = bytesOf("codecs", weight);
      const rowBytes = packed.length / weight.shape[0];
      for (let r = 0; r < weight.shape[0]; r++)
        expected.set(
          dequantizeRow(
            GGML[weight.dtype as keyof typeof GGML],
            packed.subarray(r * rowBytes, (r + 1) * rowBytes),
            cols,
          ),
          r * cols,
        );
      const finite = Array.from(expected).filter((v) => !Number.isNaN(v));
      const preview = previewNpy(bytesOf("codecs", w), w.file);
      expect(preview.shape).toEqual(w.shape);
      expect(preview.count).toBe(w.shape.reduce((a, b) => a * b, 1));
      expect(preview.nanCount).toBe(expected.length - finite.length);
      expect(preview.min).toBe(finite.length === 0 ? undefined : Math.min(...finite));
      expect(preview.max).toBe(finite.length === 0 ? undefined : Math.max(...finite));
      expect(preview.first).toEqual(Array.from(expected.subarray(0, 16)));
    },
  );
});

describe("previewPacked of every .bin of the codecs suite", () => {
  const packedFiles = codecs.testGroups
    .flatMap((g) => g.tests.flatMap((t) => Object.values(t.files)))
    .filter((e) => e.file.endsWith(".bin"));
  test.each(packedFiles.map((e) => [e.file, e] as const))(
    "%s: block count from the manifest's shape, d from the reference unpacker",
    (_file, entry) => {
      const bytes = bytesOf("codecs", entry);
      const preview = previewFile(bytes, entry.dtype, entry.shape, entry.file);
      if (preview.kind !== "packed") throw new Error(`expected a packed preview, got ${preview.kind}`);
      expect(preview.blocks).toBe((entry.shape[0] * entry.shape[1]) / 256);
      const d = preview.fields.find((f) => f.name === "d")?.value;
      const block = bytes.subarray(0, preview.blockBytes);
      const referenceD =
        entry.dtype === "q8_K"
          ? unpackQ8KBlock(block).d
          : f16BitsToF32((entry.dtype === "tq1_0" ? unpackTq1Block(block) : unpackTq2Block(block)).scaleBits);
      expect(Object.is(d, referenceD) || (Number.isNaN(d) && Number.isNaN(referenceD))).toBe(true);
      const names = preview.fields.map((f) => f.name);
      expect(names).toEqual(
        { tq2_0: ["qs", "d"], tq1_0: ["qs", "qh", "d"], q8_K: ["d", "qs", "bsums"] }[
          entry.dtype as "tq1_0" | "tq2_0" | "q8_K"
        ],
      );
      expect(preview.fields.reduce((sum, f) => sum + f.length, 0)).toBe(preview.blockBytes);
    },
  );

  test("a truncated file is an error naming both sizes", () => {
    const entry = codecs.testGroups[0].tests[0].files.weight;
    const preview = previewPacked(bytesOf("codecs", entry).subarray(1), "tq1_0", entry.shape);
    expect(preview.kind).toBe("error");
  });
});

describe("hexes", () => {
  test("hexDigest of node's sha256 equals the manifest's sha256", () => {
    for (const entry of Object.values(codecs.testGroups[0].tests[0].files)) {
      expect(hexDigest(createHash("sha256").update(bytesOf("codecs", entry)).digest())).toBe(entry.sha256);
    }
  });
  test("hexBytes pads and separates", () => {
    expect(hexBytes(new Uint8Array([0, 15, 255]))).toBe("00 0f ff");
  });
});
