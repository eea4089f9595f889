/**
 * A little-endian writer that either fills a buffer or, given none, only counts bytes — so the
 * header is measured and written by the same code and the two can never disagree.
 * Implements spec/gguf.md §6.
 */

import { F32_NAN_BITS, F64_NAN_BITS } from "./value.js";

const UTF8 = new TextEncoder();

/** Writes little-endian values at `offset` into `target`, or just advances `offset` when there is no target. Spec §6. */
export class ByteWriter {
  /** Bytes written (or counted) so far. */
  offset = 0;
  private readonly view: DataView | undefined;

  constructor(private readonly target?: Uint8Array) {
    this.view = target === undefined ? undefined : new DataView(target.buffer, target.byteOffset, target.byteLength);
  }

  /** Write a u8. */
  u8(v: number): void {
    this.view?.setUint8(this.offset, v);
    this.offset += 1;
  }

  /** Write an i8. */
  i8(v: number): void {
    this.view?.setInt8(this.offset, v);
    this.offset += 1;
  }

  /** Write a u16. */
  u16(v: number): void {
    this.view?.setUint16(this.offset, v, true);
    this.offset += 2;
  }

  /** Write an i16. */
  i16(v: number): void {
    this.view?.setInt16(this.offset, v, true);
    this.offset += 2;
  }

  /** Write a u32. */
  u32(v: number): void {
    this.view?.setUint32(this.offset, v, true);
    this.offset += 4;
  }

  /** Write an i32. */
  i32(v: number): void {
    this.view?.setInt32(this.offset, v, true);
    this.offset += 4;
  }

  /** Write an f32; a NaN is written as the bit pattern F32_NAN_BITS. */
  f32(v: number): void {
    if (Number.isNaN(v)) this.view?.setUint32(this.offset, F32_NAN_BITS, true);
    else this.view?.setFloat32(this.offset, v, true);
    this.offset += 4;
  }

  /** Write an f64; a NaN is written as the bit pattern F64_NAN_BITS. */
  f64(v: number): void {
    if (Number.isNaN(v)) this.view?.setBigUint64(this.offset, F64_NAN_BITS, true);
    else this.view?.setFloat64(this.offset, v, true);
    this.offset += 8;
  }

  /** Write a u64. */
  u64(v: bigint): void {
    this.view?.setBigUint64(this.offset, v, true);
    this.offset += 8;
  }

  /** Write an i64. */
  i64(v: bigint): void {
    this.view?.setBigInt64(this.offset, v, true);
    this.offset += 8;
  }

  /** Copy raw bytes. */
  bytes(b: Uint8Array): void {
    this.target?.set(b, this.offset);
    this.offset += b.length;
  }

  /** Write a GGUF string: u64 UTF-8 byte length, then the bytes. Spec §2. */
  string(s: string): void {
    const encoded = UTF8.encode(s);
    this.u64(BigInt(encoded.length));
    this.bytes(encoded);
  }

  /** Skip to the next multiple of `alignment`; the buffer is fresh, so the skipped bytes are zero. Spec §4. */
  padTo(alignment: number): void {
    this.offset = Math.ceil(this.offset / alignment) * alignment;
  }
}
