/**
 * The memory-bandwidth bound of decoding: each decoded token reads every matrix's packed bytes once
 * (the seven linears of every layer and the output head) and one row of the token embedding, so no
 * engine decodes faster than those bytes ÷ the memory bandwidth. The bench cannot measure the
 * machine's bandwidth portably: it takes a figure from the user (--bandwidth-gbs) or times a plain
 * copy of a large buffer in JavaScript (TypedArray.prototype.set, a memcpy) and says which it used.
 */

import { layerLinears, type TrilmWeights } from "../../reference/model/weights.js";
import { packedRowBytes } from "../../reference/model/packed-matrix.js";
import { median } from "./measure.js";

/** Bytes a decoded token reads: every linear's and the head's packed bytes, plus one embedding row. */
export function bytesPerToken(weights: TrilmWeights): number {
  const linears = weights.layers.reduce(
    (sum, layer) => sum + layerLinears(layer).reduce((s, [, matrix]) => s + matrix.data.length, 0),
    0,
  );
  return linears + weights.output.data.length + packedRowBytes(weights.tokenEmbedding);
}

/** The fastest a token can decode when reading `bytes` at `gbs` GB/s (10^9 bytes a second), in milliseconds. */
export function boundMs(bytes: number, gbs: number): number {
  return bytes / ((gbs * 1e9) / 1000);
}

/** The size of the buffer the copy loop reads (256 MiB: far larger than any cache). */
export const COPY_BYTES = 256 * 2 ** 20;

/**
 * GB/s of a memcpy-style copy in JavaScript: the median of `runs` copies of COPY_BYTES with
 * TypedArray.prototype.set (bytes copied ÷ time; each byte is read once and written once).
 */
export function measureCopyGbs(now: () => number, runs = 5): number {
  const source = new Uint8Array(COPY_BYTES).fill(1);
  const target = new Uint8Array(COPY_BYTES);
  target.set(source);
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = now();
    target.set(source);
    samples.push(now() - start);
  }
  return COPY_BYTES / (median(samples) / 1000) / 1e9;
}
