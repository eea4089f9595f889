/**
 * A bounds-checked little-endian cursor over the bytes of one file. Every read first checks that
 * the bytes are there and otherwise throws an InputError naming the file, the offset and what was
 * being read, so no DataView RangeError can escape. Implements spec/gguf.md §5 (rule R1).
 */

import { InputError } from "../errors.js";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Cursor over `bytes`; `fileName` names the file in every error. Spec §5. */
export class ByteReader {
  /** Offset of the next byte to read. */
  offset = 0;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly fileName: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes left after the cursor. */
  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Throw an InputError about this file: `problem` should name the offset or key. */
  fail(problem: string): never {
    throw new InputError(this.fileName, problem);
  }

  /** Check that `size` bytes of `what` start at the cursor. Spec §5 R1. */
  require(size: number, what: string): void {
    if (size > this.remaining) {
      this.fail(
        `truncated: ${what} at offset ${this.offset} needs ${size} bytes, but the file ends at ${this.bytes.length}`,
      );
    }
  }

  /** Read a u8. */
  u8(what: string): number {
    this.require(1, what);
    return this.view.getUint8(this.offset++);
  }

  /** Read an i8. */
  i8(what: string): number {
    this.require(1, what);
    return this.view.getInt8(this.offset++);
  }

  /** Read a little-endian u16. */
  u16(what: string): number {
    return this.fixed(2, what, (at) => this.view.getUint16(at, true));
  }

  /** Read a little-endian i16. */
  i16(what: string): number {
    return this.fixed(2, what, (at) => this.view.getInt16(at, true));
  }

  /** Read a little-endian u32. */
  u32(what: string): number {
    return this.fixed(4, what, (at) => this.view.getUint32(at, true));
  }

  /** Read a little-endian i32. */
  i32(what: string): number {
    return this.fixed(4, what, (at) => this.view.getInt32(at, true));
  }

  /** Read a little-endian u64 as a bigint. */
  u64(what: string): bigint {
    return this.fixed(8, what, (at) => this.view.getBigUint64(at, true));
  }

  /** Read a little-endian i64 as a bigint. */
  i64(what: string): bigint {
    return this.fixed(8, what, (at) => this.view.getBigInt64(at, true));
  }

  /** A view (no copy) of the next `size` bytes. */
  take(size: number, what: string): Uint8Array {
    this.require(size, what);
    const slice = this.bytes.subarray(this.offset, this.offset + size);
    this.offset += size;
    return slice;
  }

  /**
   * Read a u64 count or length and check, before anything is allocated, that `count` items of at
   * least `minItemSize` bytes each fit in the rest of the file, and that the count is at most
   * ggml's `limit` when one is given. Spec §5 R3.
   */
  count(what: string, minItemSize: number, limit?: number): number {
    const at = this.offset;
    const raw = this.u64(what);
    if (raw * BigInt(minItemSize) > BigInt(this.remaining)) {
      const need = minItemSize === 1 ? `${raw} bytes` : `${raw} × at least ${minItemSize} bytes`;
      this.fail(`${what} at offset ${at} is ${raw}, but ${need} cannot fit in the ${this.remaining} bytes left`);
    }
    if (limit !== undefined && raw > BigInt(limit)) {
      this.fail(`${what} at offset ${at} is ${raw}, more than ggml's limit of ${limit}`);
    }
    return Number(raw);
  }

  /** Read a GGUF string: u64 byte length, then that many bytes of valid UTF-8. Spec §2, §5 R3–R4. */
  string(what: string, maxLength: number): string {
    const length = this.count(`length of ${what}`, 1, maxLength);
    const at = this.offset;
    const bytes = this.take(length, what);
    try {
      // browsers' TextDecoder refuses views of shared memory (a file read into the packed-wasm engine's memory)
      return UTF8.decode(bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice());
    } catch {
      return this.fail(`${what} at offset ${at} is not valid UTF-8`);
    }
  }

  private fixed<T>(size: number, what: string, get: (at: number) => T): T {
    this.require(size, what);
    const value = get(this.offset);
    this.offset += size;
    return value;
  }
}
