/**
 * The real TriLM 99M shape (vocab 50304, 16 layers, dim 512, 8 heads, FFN 1280) against llama.cpp
 * (golden/external/llama-99m/). The model itself is too big to commit (F16 source 200 MB, TQ2_0 49 MB),
 * so the test rebuilds it the way its PROVENANCE.md says llama.cpp's files were made:
 *   1. `trilm make-model --preset 99m --seed 1 --type f16` (writePlannedGguf, make-model's own path):
 *      the same bytes as the file llama-quantize read (sha256);
 *   2. quantizeModel with no options (llama-quantize's defaults: TQ2_0, token_embd Q4_K, output Q6_K):
 *      the same bytes as llama-quantize's output (sha256);
 *   3. the ggml-exact forward pass over 16 tokens: llama.cpp's logits bit for bit at every position.
 * llama.cpp's logits [16, 50304] would take 3.2 MB, so the fixture holds their sha256 (the whole array
 * and each position's row, so a failure names the positions that differ) and the exact float32 values of
 * every 8th vocabulary column (so a failure also shows how far off the stored values are).
 */

import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { evaluateSequence } from "../../../reference/model/forward.js";
import { quantizeModel } from "../../../src/gguf/quantize.js";
import { parseGguf } from "../../../src/gguf/reader.js";
import { serializeGguf } from "../../../src/gguf/writer.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";
import { planRandomTrilm } from "../../../src/model/random-model.js";
import { writePlannedGguf } from "../../../src/model/stream-gguf.js";

const FIXTURES = new URL("../../../golden/external/llama-99m/", import.meta.url);
const VOCAB = 50304;
/** The stored subset: vocabulary columns 0, 8, 16, … of every position. */
const STRIDE = 8;

interface Hashes {
  readonly source: { readonly command: string; readonly bytes: number; readonly sha256: string };
  readonly llamaQuantize: { readonly command: string; readonly bytes: number; readonly sha256: string };
  readonly logits: {
    readonly shape: readonly number[];
    readonly sha256: string;
    readonly rowSha256: readonly string[];
  };
}

const read = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
const HASHES = JSON.parse(read("sha256.json").toString("utf8")) as Hashes;
const TOKENS = (JSON.parse(read("tokens.json").toString("utf8")) as { tokens: number[] }).tokens;
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
/** A file's size and sha256 as sha256.json pins it (without the command line stored beside them). */
const pinned = ({ bytes, sha256 }: { bytes: number; sha256: string }) => ({ bytes, sha256 });
const bytesOf = (values: Float32Array): Uint8Array =>
  new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

const scratch = mkdtempSync(join(tmpdir(), "trilm-99m-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Positions whose row of `ours` does not hash to llama.cpp's row sha256. */
function differingPositions(ours: Float32Array): number[] {
  const positions: number[] = [];
  HASHES.logits.rowSha256.forEach((expected, pos) => {
    if (sha256(bytesOf(ours.subarray(pos * VOCAB, (pos + 1) * VOCAB))) !== expected) positions.push(pos);
  });
  return positions;
}

/** The stored columns (every STRIDE-th) of `ours` that differ bit for bit from llama.cpp's: at most 5, as "pos:col ours≠theirs". */
function differingStoredValues(ours: Float32Array): string[] {
  const bytes = read(`logits-99m-tq2_0-every${STRIDE}th.f32`);
  const theirs = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const columns = Math.ceil(VOCAB / STRIDE);
  expect(theirs.length).toBe(TOKENS.length * columns);
  const found: string[] = [];
  for (let i = 0; i < theirs.length && found.length < 5; i++) {
    const pos = Math.floor(i / columns);
    const col = (i % columns) * STRIDE;
    const value = ours[pos * VOCAB + col];
    if (!Object.is(value, theirs[i])) found.push(`${pos}:${col} ${value}≠${theirs[i]}`);
  }
  return found;
}

test("99M shape: make-model's source and quantizeModel's TQ2_0 are llama-quantize's bytes; ggml-exact logits are llama.cpp's", () => {
  const sourcePath = join(scratch, "99m-f16.gguf");
  writePlannedGguf(sourcePath, planRandomTrilm("99m", 1, "f16"));
  const source = new Uint8Array(readFileSync(sourcePath));
  expect({ bytes: source.length, sha256: sha256(source) }, "make-model's F16 source").toEqual(pinned(HASHES.source));

  const quantized = serializeGguf(quantizeModel(parseGguf(source, sourcePath), GgmlType.TQ2_0));
  expect({ bytes: quantized.length, sha256: sha256(quantized) }, "quantizeModel's TQ2_0").toEqual(
    pinned(HASHES.llamaQuantize),
  );

  const file = parseGguf(quantized, "99m-tq2_0.gguf");
  expect(["token_embd.weight", "output.weight"].map((name) => file.tensor(name)?.type)).toEqual([
    GgmlType.Q4_K,
    GgmlType.Q6_K,
  ]);
  const { config, weights } = modelFromGguf(file);
  expect([config.vocabSize, config.nLayers, config.dim, config.nHeads, config.hiddenDim]).toEqual([
    VOCAB,
    16,
    512,
    8,
    1280,
  ]);
  const ours = new Float32Array(TOKENS.length * VOCAB);
  evaluateSequence(config, weights, TOKENS, { activations: "ggml-exact", kvCache: "f32" }).forEach((row, pos) =>
    ours.set(row, pos * VOCAB),
  );
  expect(HASHES.logits.shape).toEqual([TOKENS.length, VOCAB]);
  expect({ positions: differingPositions(ours), storedValues: differingStoredValues(ours) }).toEqual({
    positions: [],
    storedValues: [],
  });
  expect(sha256(bytesOf(ours)), "sha256 of all logits").toBe(HASHES.logits.sha256);
}, 300_000);

test("every fixture file matches the sha256 list in PROVENANCE.md, and every file is listed", () => {
  const provenance = read("PROVENANCE.md").toString("utf8");
  const listed = new Map<string, { bytes: number; sha256: string }>();
  for (const [, path, bytes, hash] of provenance.matchAll(/^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|$/gm))
    listed.set(path, { bytes: Number(bytes), sha256: hash });
  const files = readdirSync(FIXTURES).filter((name) => name !== "PROVENANCE.md");
  expect([...listed.keys()].sort()).toEqual(files.sort());
  for (const name of files) {
    const bytes = read(name);
    expect({ bytes: bytes.length, sha256: sha256(bytes) }, name).toEqual(listed.get(name));
  }
});
