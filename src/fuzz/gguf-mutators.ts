/**
 * GGUF-aware mutations. `scanGgufFields` walks the header of a valid GGUF v3 file and records
 * where each count, length, type id and offset field is; the mutators overwrite those fields
 * with hostile values (huge u64 counts and string lengths, bad versions, unknown types,
 * overlapping or out-of-file tensor offsets, wrong alignments), and `craftNestedArrays` builds
 * headers whose nested arrays claim billions of elements. Pure.
 */

import { flipBits, mutateBytes, truncate } from "./byte-mutators.js";
import { INTERESTING_U64, type FuzzRng } from "./rng.js";

/** The kind of a header field, for choosing hostile values. */
export type GgufFieldKind =
  "version" | "count" | "length" | "valueType" | "nDims" | "ne" | "tensorType" | "tensorOffset" | "alignment";

/** One field of a GGUF header: where it is, how wide, what it means. */
export interface GgufField {
  readonly at: number;
  readonly width: 4 | 8;
  readonly kind: GgufFieldKind;
}

/** The fields of a GGUF header and where the header ends (before the data padding). */
export interface GgufLayout {
  readonly fields: readonly GgufField[];
  readonly headerEnd: number;
}

const FIXED_SIZES: ReadonlyMap<number, number> = new Map([
  [0, 1],
  [1, 1],
  [2, 2],
  [3, 2],
  [4, 4],
  [5, 4],
  [6, 4],
  [7, 1],
  [10, 8],
  [11, 8],
  [12, 8],
]);

/** Walk a valid GGUF v3 header (stops quietly at anything unexpected). */
export function scanGgufFields(bytes: Uint8Array): GgufLayout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: GgufField[] = [];
  let at = 0;
  const u32 = (kind: GgufFieldKind): number => {
    fields.push({ at, width: 4, kind });
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  const u64 = (kind: GgufFieldKind): number => {
    fields.push({ at, width: 8, kind });
    const v = Number(view.getBigUint64(at, true));
    at += 8;
    return v;
  };
  const str = (): string => {
    const n = u64("length");
    const s = new TextDecoder().decode(bytes.subarray(at, at + n));
    at += n;
    return s;
  };
  const value = (type: number, key: string): void => {
    const fixed = FIXED_SIZES.get(type);
    if (fixed !== undefined) {
      if (key === "general.alignment") fields.push({ at, width: 4, kind: "alignment" });
      at += fixed;
    } else if (type === 8) str();
    else if (type === 9) {
      const element = u32("valueType");
      const count = u64("count");
      for (let i = 0; i < count; i++) value(element, "");
    } else throw new Error("unknown value type");
  };
  try {
    at = 4;
    u32("version");
    const tensorCount = u64("count");
    const kvCount = u64("count");
    for (let i = 0; i < kvCount; i++) {
      const key = str();
      value(u32("valueType"), key);
    }
    for (let i = 0; i < tensorCount; i++) {
      str();
      const nDims = u32("nDims");
      for (let d = 0; d < nDims; d++) u64("ne");
      u32("tensorType");
      u64("tensorOffset");
    }
  } catch {
    // A seed that is not a whole valid header: keep the fields found so far.
  }
  return { fields, headerEnd: Math.min(at, bytes.length) };
}

/** A hostile value for a field of `kind`. */
function hostileValue(rng: FuzzRng, kind: GgufFieldKind, fileSize: number): bigint {
  switch (kind) {
    case "version":
      return BigInt(rng.pick([0, 1, 2, 4, 0x03000000, 0xffffffff, rng.int(0x100000000)]));
    case "valueType":
      return BigInt(rng.pick([8, 9, 13, 14, 255, 0xffffffff, rng.int(13)]));
    case "nDims":
      return BigInt(rng.pick([0, 1, 2, 3, 4, 5, 0xffffffff]));
    case "tensorType":
      return BigInt(rng.pick([0, 1, 2, 3, 8, 15, 30, 34, 35, 36, 37, 38, 39, 40, 41, 42, 0xffffffff, rng.int(64)]));
    case "alignment":
      return BigInt(rng.pick([0, 1, 3, 8, 16, 31, 64, 100, 4096, 0x80000000, 0xffffffff]));
    case "tensorOffset":
      return rng.pick([0n, 32n, 1n, 31n, 33n, BigInt(fileSize), BigInt(fileSize + 32), 1n << 40n, ...INTERESTING_U64]);
    default:
      return rng.pick([...INTERESTING_U64, BigInt(fileSize), BigInt(fileSize - 1), BigInt(Math.max(0, fileSize >> 1))]);
  }
}

/** Overwrite one header field of `bytes` (its layout in `layout`) with a hostile or nearby value. */
export function mutateGgufField(rng: FuzzRng, bytes: Uint8Array, layout: GgufLayout): Uint8Array {
  const out = bytes.slice();
  if (layout.fields.length === 0) return out;
  const view = new DataView(out.buffer);
  const field = rng.pick(layout.fields);
  if (field.at + field.width > out.length) return out;
  const old = field.width === 8 ? view.getBigUint64(field.at, true) : BigInt(view.getUint32(field.at, true));
  const value = rng.chance(0.25)
    ? old + BigInt(rng.pick([-32, -1, 1, 32]))
    : hostileValue(rng, field.kind, bytes.length);
  const mask = field.width === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  const wrapped = ((value % (mask + 1n)) + (mask + 1n)) & mask;
  if (field.width === 8) view.setBigUint64(field.at, wrapped, true);
  else view.setUint32(field.at, Number(wrapped), true);
  return out;
}

/** Swap the offset fields of two tensors, or copy one over another (overlap). */
export function shuffleTensorOffsets(rng: FuzzRng, bytes: Uint8Array, layout: GgufLayout): Uint8Array {
  const out = bytes.slice();
  const offsets = layout.fields.filter((f) => f.kind === "tensorOffset" && f.at + 8 <= bytes.length);
  if (offsets.length < 2) return mutateGgufField(rng, bytes, layout);
  const a = rng.pick(offsets);
  const b = rng.pick(offsets);
  const view = new DataView(out.buffer);
  const va = view.getBigUint64(a.at, true);
  const vb = view.getBigUint64(b.at, true);
  view.setBigUint64(a.at, vb, true);
  if (rng.chance(0.5)) view.setBigUint64(b.at, va, true);
  return out;
}

/** Little-endian byte builder for crafted headers. */
class Builder {
  private readonly parts: number[] = [];
  u32(v: number): this {
    for (let i = 0; i < 4; i++) this.parts.push((v >>> (8 * i)) & 0xff);
    return this;
  }
  u64(v: bigint): this {
    for (let i = 0n; i < 8n; i++) this.parts.push(Number((v >> (8n * i)) & 0xffn));
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    this.u64(BigInt(b.length));
    for (const x of b) this.parts.push(x);
    return this;
  }
  raw(n: number, fill: number): this {
    for (let i = 0; i < n; i++) this.parts.push(fill);
    return this;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/**
 * A crafted header: one key whose value is arrays nested `depth` deep, each level claiming a
 * count from `counts` (billions, 2^64 − 1, or small), followed by a little filler.
 */
export function craftNestedArrays(rng: FuzzRng): Uint8Array {
  const b = new Builder();
  b.u32(0x46554747).u32(3).u64(0n).u64(1n).str("a");
  b.u32(9);
  const depth = 1 + rng.int(40);
  for (let d = 0; d < depth; d++) {
    const last = d === depth - 1;
    b.u32(last ? rng.pick([0, 4, 8, 7, 12]) : 9);
    b.u64(
      rng.chance(0.6)
        ? rng.pick([1_000_000_000n, 3_000_000_000n, 0xffffffffn, 1n << 40n, 0xffffffffffffffffn, 0x0fffffffffffffffn])
        : BigInt(rng.int(3)),
    );
  }
  b.raw(rng.int(128), rng.pick([0, 1, 0xff]));
  return b.bytes();
}

/** One GGUF mutation: a header field, tensor offsets, format-blind bytes in the header, or truncation. */
export function mutateGguf(rng: FuzzRng, bytes: Uint8Array, layout: GgufLayout): Uint8Array {
  const focus = layout.headerEnd + 64;
  switch (rng.int(6)) {
    case 0:
    case 1:
      return mutateGgufField(rng, bytes, layout);
    case 2:
      return shuffleTensorOffsets(rng, bytes, layout);
    case 3:
      return flipBits(rng, bytes, focus);
    case 4:
      return truncate(rng, bytes, focus);
    default:
      return mutateBytes(rng, bytes, focus);
  }
}
