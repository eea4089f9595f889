/**
 * A row of a quantized tensor is its blocks, concatenated (spec/formats.md §1).
 * These two helpers turn a block codec into a row codec.
 */

/**
 * Apply a block encoder to every `blockSize`-element block of a row.
 * x: Float32Array[nb · blockSize] → Uint8Array[nb · blockBytes]. Spec §1: a row is its blocks, concatenated.
 */
export function mapBlocks(
  x: Float32Array,
  blockSize: number,
  blockBytes: number,
  encodeBlock: (x: Float32Array) => Uint8Array,
): Uint8Array {
  if (x.length % blockSize !== 0) {
    throw new RangeError(`row length ${x.length} is not a multiple of the block size ${blockSize}`);
  }
  const blocks = x.length / blockSize;
  const out = new Uint8Array(blocks * blockBytes);
  for (let b = 0; b < blocks; b++) {
    out.set(encodeBlock(x.subarray(b * blockSize, (b + 1) * blockSize)), b * blockBytes);
  }
  return out;
}

/**
 * Apply a block decoder to every `blockBytes`-byte block of a row.
 * bytes: Uint8Array[nb · blockBytes] → Float32Array[nb · blockSize]. Spec §1.
 */
export function mapBlocksBack(
  bytes: Uint8Array,
  blockBytes: number,
  blockSize: number,
  decodeBlock: (block: Uint8Array) => Float32Array,
): Float32Array {
  if (bytes.length % blockBytes !== 0) {
    throw new RangeError(`${bytes.length} bytes is not a whole number of ${blockBytes}-byte blocks`);
  }
  const blocks = bytes.length / blockBytes;
  const out = new Float32Array(blocks * blockSize);
  for (let b = 0; b < blocks; b++) {
    out.set(decodeBlock(bytes.subarray(b * blockBytes, (b + 1) * blockBytes)), b * blockSize);
  }
  return out;
}
