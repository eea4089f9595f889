/**
 * The packed-wasm engine's memory: one shared WebAssembly.Memory (a SharedArrayBuffer, so worker threads compute
 * on the same bytes) and a bump allocator the host owns — the AssemblyScript kernels never allocate. Weights are
 * allocated once and live as long as the engine; scratch buffers (activations in, outputs out) are reused and only
 * ever grow. wasm32 addresses 4 GiB at most (65536 pages of 64 KiB).
 */

/** Bytes per WebAssembly page. */
const PAGE_BYTES = 65536;
/** The most pages a wasm32 memory can have (4 GiB). */
export const MAX_PAGES = 65536;

/** A bump allocator over a shared WebAssembly.Memory, starting above the module's static data. */
export class WasmHeap {
  /** Next free byte. */
  private top: number;
  /** Scratch regions by slot: [pointer, capacity in bytes]. */
  private readonly scratch = new Map<string, [number, number]>();
  /** Every SharedArrayBuffer this heap's views were made on (memory.buffer changes object when memory grows). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  constructor(
    readonly memory: WebAssembly.Memory,
    heapBase: number,
  ) {
    this.top = alignUp(heapBase, 64);
  }

  /** Bytes allocated so far (static data included). */
  get used(): number {
    return this.top;
  }

  /** Allocate `bytes` bytes aligned to 64, growing the memory as needed; RangeError past 4 GiB. Returns the address. */
  allocate(bytes: number): number {
    const pointer = this.top;
    const end = alignUp(pointer + bytes, 64);
    const pages = Math.ceil(end / PAGE_BYTES);
    const have = this.memory.buffer.byteLength / PAGE_BYTES;
    if (pages > MAX_PAGES)
      throw new RangeError(
        `packed-wasm: ${(end / 2 ** 30).toFixed(2)} GiB needed, more than WebAssembly's 4 GiB address space`,
      );
    if (pages > have) this.memory.grow(pages - have);
    this.top = end;
    return pointer;
  }

  /** A scratch region of at least `bytes` bytes for `slot`, reused across calls (its contents are not kept). */
  scratchRegion(slot: string, bytes: number): number {
    const region = this.scratch.get(slot);
    if (region !== undefined && region[1] >= bytes) return region[0];
    const pointer = this.allocate(bytes);
    this.scratch.set(slot, [pointer, bytes]);
    return pointer;
  }

  /** A Uint8Array view of [pointer, pointer + length) on the current buffer. */
  bytes(pointer: number, length: number): Uint8Array {
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    return new Uint8Array(buffer, pointer, length);
  }

  /** A Float32Array view of `length` floats at `pointer` (4-aligned). */
  floats(pointer: number, length: number): Float32Array {
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    return new Float32Array(buffer, pointer, length);
  }

  /** An Int16Array view of `length` int16s at `pointer` (2-aligned). */
  shorts(pointer: number, length: number): Int16Array {
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    return new Int16Array(buffer, pointer, length);
  }

  /** Allocate `bytes` bytes and return them as a view: the way a loader reads a file straight into engine memory. */
  allocateBytes(bytes: number): Uint8Array {
    return this.bytes(this.allocate(bytes), bytes);
  }

  /** The address of `view` when it is a view of this heap's memory (made by bytes/floats/allocateBytes), else undefined. */
  addressOf(view: ArrayBufferView): number | undefined {
    return this.buffers.has(view.buffer) ? view.byteOffset : undefined;
  }
}

/** n rounded up to a multiple of `alignment`. */
function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
