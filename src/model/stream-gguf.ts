/**
 * Writing a GGUF file whose tensors are generated row by row, without ever holding a whole tensor
 * (or the whole file) in memory: the header is laid out from the tensors' sizes alone, then each
 * tensor's rows go to disk as they are produced, padded to the alignment — the same bytes
 * serializeGguf writes for the same file (spec/gguf.md §6). Atomic like src/io/atomic-write.ts:
 * a temporary file beside the target, flushed, then renamed over it; on failure the temporary file
 * is removed and the target is untouched. Node only.
 */

import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.js";
import { ByteWriter } from "../gguf/byte-writer.js";
import { headerByteLength, writeHeader, type TensorInfoRecord } from "../gguf/header-writer.js";
import { GgufFile } from "../gguf/index.js";
import { alignUp, alignmentOf } from "../gguf/rules.js";
import { describeFileSystemError } from "../io/atomic-write.js";
import type { PlannedGguf } from "./random-model.js";

/** Called as bytes reach the file: how many so far and how many in all. */
export type WriteProgress = (writtenBytes: number, totalBytes: number) => void;

/** Where a planned file's parts go: each tensor's offset in the data section, the data section's offset, the total length. */
export interface PlannedLayout {
  readonly alignment: number;
  readonly tensorInfos: readonly TensorInfoRecord[];
  readonly dataOffset: number;
  readonly byteLength: number;
}

/**
 * The layout of a planned file, exactly as GgufFile computes it (spec/gguf.md §4). Throws
 * InputError(name, …) for metadata GGUF cannot hold, as GgufFile.create does.
 */
export function planLayout(plan: PlannedGguf, name: string): PlannedLayout {
  GgufFile.create(name, plan.metadata, []); // validates the metadata (keys, values, alignment)
  const alignment = alignmentOf(plan.metadata);
  let offset = 0;
  const tensorInfos = plan.tensors.map((tensor) => {
    const info = { name: tensor.name, ne: tensor.ne, type: tensor.type, offset };
    offset += alignUp(tensor.byteSize, alignment);
    return info;
  });
  const dataOffset = alignUp(headerByteLength(plan.metadata, tensorInfos), alignment);
  return { alignment, tensorInfos, dataOffset, byteLength: dataOffset + offset };
}

/** Collects small writes into chunks of about CHUNK_BYTES before handing them to the file. */
class ChunkedFileWriter {
  private static readonly CHUNK_BYTES = 1 << 22;
  private readonly buffer = new Uint8Array(ChunkedFileWriter.CHUNK_BYTES);
  private used = 0;
  /** Bytes accepted so far (written or buffered). */
  position = 0;

  constructor(private readonly fd: number) {}

  write(bytes: Uint8Array): void {
    if (bytes.length > this.buffer.length - this.used) this.flush();
    if (bytes.length >= this.buffer.length) this.writeAll(bytes);
    else {
      this.buffer.set(bytes, this.used);
      this.used += bytes.length;
    }
    this.position += bytes.length;
  }

  /** Zero bytes up to the next multiple of `alignment`. */
  padTo(alignment: number): void {
    const padding = alignUp(this.position, alignment) - this.position;
    if (padding > 0) this.write(new Uint8Array(padding));
  }

  flush(): void {
    this.writeAll(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    for (let written = 0; written < bytes.length;)
      written += writeSync(this.fd, bytes, written, bytes.length - written);
  }
}

/** Report progress at least this often (in bytes written), besides after each tensor. */
const PROGRESS_BYTES = 8 * 1024 * 1024;

/** Write header, padding, and each tensor's rows with padding to `fd`. */
function writePlanned(
  fd: number,
  plan: PlannedGguf,
  layout: PlannedLayout,
  onProgress: WriteProgress | undefined,
): void {
  const out = new ChunkedFileWriter(fd);
  let reported = 0;
  const header = new Uint8Array(layout.dataOffset); // zero-filled: the padding after the header
  writeHeader(new ByteWriter(header), plan.metadata, layout.tensorInfos);
  out.write(header);
  for (const [i, tensor] of plan.tensors.entries()) {
    const start = out.position;
    if (start !== layout.dataOffset + layout.tensorInfos[i].offset)
      throw new Error(`tensor '${tensor.name}' would start at ${start}, not where the header puts it`);
    for (const row of tensor.rows()) {
      out.write(row);
      if (onProgress !== undefined && out.position - reported >= PROGRESS_BYTES) {
        reported = out.position;
        onProgress(out.position, layout.byteLength);
      }
    }
    if (out.position - start !== tensor.byteSize)
      throw new Error(`tensor '${tensor.name}' produced ${out.position - start} bytes, expected ${tensor.byteSize}`);
    out.padTo(layout.alignment);
    onProgress?.(out.position, layout.byteLength);
  }
  out.flush();
  if (out.position !== layout.byteLength) throw new Error(`wrote ${out.position} bytes, expected ${layout.byteLength}`);
}

/**
 * Write the planned file to `path` atomically, tensor by tensor and row by row (memory: one row
 * plus a 4 MiB buffer). Returns the file's length in bytes. Throws InputError naming `path` when it
 * cannot be written (nothing is left behind then). `onProgress` is called after each tensor and
 * every 8 MiB within one.
 */
export function writePlannedGguf(path: string, plan: PlannedGguf, onProgress?: WriteProgress): number {
  const layout = planLayout(plan, path);
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, "wx");
    writePlanned(fd, plan, layout, onProgress);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    if (error instanceof Error && (error as NodeJS.ErrnoException).code !== undefined) {
      throw new InputError(path, `cannot write the file: ${describeFileSystemError(error)}`);
    }
    throw error;
  }
  return layout.byteLength;
}
