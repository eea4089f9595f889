/**
 * The strict GGUF v3 reader. It enforces ggml's gguf.cpp rules, and more where the oracle could not
 * hold a file or rewrite it byte for byte (spec §5 says where and why); every problem is an
 * InputError naming the file, the offset and the key or tensor. Every count and length is checked against the bytes left before
 * anything is allocated. Type ids 36–42 are read in the file's dialect, mainline ggml or bitnet.cpp, decided from
 * evidence (./dialect.ts). Implements spec/gguf.md §5 (rules R1–R16) and §10.
 */

import { ggmlTypeTraits } from "../../reference/codec/index.js";
import { ByteReader } from "./byte-reader.js";
import { isDialectDependentTypeId, resolveDialect, typeInDialect } from "./dialect.js";
import { GgufFile, type GgufTensor } from "./gguf-file.js";
import {
  ALIGNMENT_KEY,
  GGUF_MAGIC,
  GGUF_VERSION,
  MAX_STRING_LENGTH,
  alignUp,
  alignmentOf,
  alignmentProblem,
  dimensionCountProblem,
  rowLengthProblem,
  tensorNameProblem,
  unknownTensorTypeProblem,
} from "./rules.js";
import { tensorTypeSize, type GgufTensorType } from "./tensor-type.js";
import { readValue, readValueType } from "./value-reader.js";
import { GgufValueType, type GgufKeyValue } from "./value.js";

/** Fewest bytes a key/value pair takes: u64 key length, a 1-byte key, u32 type, a 1-byte value. */
const MIN_KEY_VALUE_BYTES = 8 + 1 + 4 + 1;
/** Fewest bytes a tensor info takes: u64 name length, u32 n_dims, one u64 ne, u32 type, u64 offset. */
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;

/** A tensor info as read, before its type id is given its dialect's meaning and its offset is checked. */
interface TensorInfoAsRead {
  readonly name: string;
  readonly ne: number[];
  readonly typeId: number;
  /** Where the info starts and where its type field is in the file, for messages. */
  readonly infoAt: number;
  readonly typeAt: number;
  readonly offset: bigint;
  /** Where the info's offset field is in the file, for messages. */
  readonly offsetFieldAt: number;
}

/** A tensor info with its type decided and its byte size. */
interface TypedTensorInfo extends TensorInfoAsRead {
  readonly type: GgufTensorType;
  readonly byteSize: bigint;
}

/** Printable form of 4 magic bytes. */
function showMagic(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "?")).join("");
}

/** A long name cut to 80 characters for a message. */
function clipped(name: string): string {
  return name.length > 80 ? `${name.slice(0, 80)}…` : name;
}

/** R2: the magic "GGUF". */
function readMagic(r: ByteReader): void {
  const magic = r.take(4, "the magic 'GGUF'");
  if (showMagic(magic) !== GGUF_MAGIC) {
    const hex = Array.from(magic, (b) => b.toString(16).padStart(2, "0")).join(" ");
    r.fail(`not a GGUF file: it starts with '${showMagic(magic)}' (${hex}), not 'GGUF'`);
  }
}

/** Why a version other than 3 is refused. Spec §5 R2. */
function versionProblem(version: number): string {
  if (version !== 0 && (version & 0xffff) === 0) {
    return `version field reads ${version} (0x${version.toString(16)}): a big-endian GGUF file; the oracle reads little-endian files only`;
  }
  if (version === 1) {
    return "GGUF version 1 is not supported: v1 used 32-bit counts and lengths; re-convert the model with a current llama.cpp";
  }
  if (version === 2) {
    return (
      "GGUF version 2 is not supported: the oracle reads and writes version 3 only, so that " +
      "every file it accepts is rewritten byte for byte; re-convert the model with a current llama.cpp"
    );
  }
  return `GGUF version ${version} is not supported: the oracle reads version ${GGUF_VERSION}, the newest ggml knows`;
}

/** R2: version 3 only. */
function readVersion(r: ByteReader): void {
  const version = r.u32("the version");
  if (version !== GGUF_VERSION) r.fail(versionProblem(version));
}

/** R5: the key/value pairs, with non-empty unique keys (the values by R3, R4, R6, R7). */
function readMetadata(r: ByteReader, count: number): { metadata: GgufKeyValue[]; keyOffsets: Map<string, number> } {
  const metadata: GgufKeyValue[] = [];
  const keyOffsets = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const at = r.offset;
    const key = r.string(`key of metadata entry ${i}`, MAX_STRING_LENGTH);
    if (key === "") r.fail(`metadata entry ${i} at offset ${at} has an empty key`);
    const first = keyOffsets.get(key);
    if (first !== undefined) r.fail(`duplicate metadata key '${key}' at offset ${at} (first at offset ${first})`);
    keyOffsets.set(key, at);
    const type = readValueType(r, `value type of key '${key}'`);
    metadata.push({ key, value: readValue(r, type, `value of key '${key}'`) });
  }
  return { metadata, keyOffsets };
}

/** R8: `general.alignment`, when present, is a u32 power of two. */
function checkAlignment(
  r: ByteReader,
  metadata: readonly GgufKeyValue[],
  keyOffsets: ReadonlyMap<string, number>,
): number {
  const entry = metadata.find((kv) => kv.key === ALIGNMENT_KEY);
  const problem = entry === undefined ? undefined : alignmentProblem(entry.value);
  if (problem !== undefined) r.fail(`${problem} (key at offset ${keyOffsets.get(ALIGNMENT_KEY)})`);
  return alignmentOf(metadata);
}

/** R10: the dimension count (1 to 4), then each ne[i] (at most 2^53 - 1). */
function readShape(r: ByteReader, name: string): number[] {
  const at = r.offset;
  const nDims = r.u32(`dimension count of tensor '${name}'`);
  const problem = dimensionCountProblem(nDims);
  if (problem !== undefined) r.fail(`tensor '${name}' ${problem} (offset ${at})`);
  const ne: number[] = [];
  for (let d = 0; d < nDims; d++) {
    const dimAt = r.offset;
    const n = r.u64(`ne[${d}] of tensor '${name}'`);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
      r.fail(`tensor '${name}' ne[${d}] at offset ${dimAt} is ${n}, more than any tensor in a file can have`);
    }
    ne.push(Number(n));
  }
  return ne;
}

/**
 * R9–R12: one tensor info — name (unique, ≤ 63 bytes), shape, a type the oracle implements, whole blocks per
 * row. A type id whose meaning depends on the dialect (36–42) is checked once the dialect is known (typeInfos).
 */
function readTensorInfo(r: ByteReader, index: number, seen: Map<string, number>): TensorInfoAsRead {
  const at = r.offset;
  const name = r.string(`name of tensor ${index}`, MAX_STRING_LENGTH);
  const nameProblem = tensorNameProblem(r.offset - at - 8);
  if (nameProblem !== undefined) r.fail(`tensor name '${clipped(name)}' at offset ${at} ${nameProblem}`);
  const first = seen.get(name);
  if (first !== undefined) r.fail(`duplicate tensor name '${name}' at offset ${at} (first at offset ${first})`);
  seen.set(name, at);
  const ne = readShape(r, name);
  const typeAt = r.offset;
  const typeId = r.u32(`type of tensor '${name}'`);
  if (!isDialectDependentTypeId(typeId)) {
    const traits = ggmlTypeTraits(typeId);
    if (traits === undefined) r.fail(`tensor '${name}' ${unknownTensorTypeProblem(typeId)} (offset ${typeAt})`);
    const rowProblem = rowLengthProblem(traits, ne[0]);
    if (rowProblem !== undefined) r.fail(`tensor '${name}' ${rowProblem} (info at offset ${at})`);
  }
  const offsetFieldAt = r.offset;
  const offset = r.u64(`data offset of tensor '${name}'`);
  return { name, ne, typeId, infoAt: at, typeAt, offset, offsetFieldAt };
}

/** Bytes from each tensor's offset to the next one's, the last one's to the end of the file (negative: none). */
function slotBytes(infos: readonly TensorInfoAsRead[], i: number, dataOffset: number, fileLength: number): bigint {
  const next = i + 1 < infos.length ? infos[i + 1].offset : BigInt(fileLength - dataOffset);
  return next - infos[i].offset;
}

/** The `general.architecture` string, if the file has one. */
function architectureOf(metadata: readonly GgufKeyValue[]): string | undefined {
  const value = metadata.find((kv) => kv.key === "general.architecture")?.value;
  return value?.type === GgufValueType.STRING ? value.value : undefined;
}

/**
 * The dialect (spec/bitnet.md §1), then each tensor's type in it and its byte size: an id the dialect does not
 * give a type the oracle implements, I8_S, or a shape bitnet.cpp cannot size is an error at the info.
 */
function typeInfos(
  r: ByteReader,
  infos: readonly TensorInfoAsRead[],
  metadata: readonly GgufKeyValue[],
  dataOffset: number,
  alignment: number,
): TypedTensorInfo[] {
  const raw = infos.map((info, i) => ({ ...info, slotBytes: slotBytes(infos, i, dataOffset, r.bytes.length) }));
  const { dialect } = resolveDialect(r.fileName, architectureOf(metadata), raw, alignment);
  return infos.map((info) => {
    const typed = typeInDialect(dialect, info.typeId);
    if ("problem" in typed) r.fail(`tensor '${info.name}' ${typed.problem} (offset ${info.typeAt})`);
    const size = tensorTypeSize(typed.type, info.ne);
    if ("problem" in size) r.fail(`tensor '${info.name}' ${size.problem} (info at offset ${info.infoAt})`);
    return { ...info, type: typed.type, byteSize: size.bytes };
  });
}

/** R16: bytes [from, to) exist and are zero (ggml and gguf-py write zeros; the writer must reproduce them). */
function checkZeroPadding(r: ByteReader, from: number, to: number, what: string): void {
  if (to > r.bytes.length) {
    r.fail(`truncated: the file ends at ${r.bytes.length}, inside the padding ${what} (which runs to ${to})`);
  }
  for (let at = from; at < to; at++) {
    if (r.bytes[at] !== 0) r.fail(`padding byte at offset ${at} (${what}) is 0x${r.bytes[at].toString(16)}, not zero`);
  }
}

/**
 * R13–R16: each tensor's offset is a multiple of the alignment and exactly where the previous
 * tensor's padded data ends (so tensors are in order, do not overlap and leave no gaps), its data
 * and padding are inside the file, and nothing follows the last padding.
 */
function placeTensors(
  r: ByteReader,
  infos: readonly TypedTensorInfo[],
  dataOffset: number,
  alignment: number,
): GgufTensor[] {
  const tensors: GgufTensor[] = [];
  let expected = 0;
  for (const [i, info] of infos.entries()) {
    const where = `tensor '${info.name}' data offset ${info.offset} (field at offset ${info.offsetFieldAt})`;
    if (info.offset % BigInt(alignment) !== 0n) r.fail(`${where} is not a multiple of the alignment ${alignment}`);
    if (info.offset < BigInt(expected)) {
      const previous = infos[i - 1];
      r.fail(
        `${where} overlaps tensor '${previous.name}', whose data runs to data-section offset ${expected}; ggml requires each tensor to follow the previous one`,
      );
    }
    if (info.offset > BigInt(expected)) {
      const after = i === 0 ? "the start of the data section" : `tensor '${infos[i - 1].name}'`;
      r.fail(`${where} leaves a gap after ${after}; ggml requires it at ${expected}`);
    }
    const byteSize = info.byteSize;
    const start = dataOffset + expected;
    if (BigInt(start) + byteSize > BigInt(r.bytes.length)) {
      r.fail(
        `tensor '${info.name}' data (${byteSize} bytes from file offset ${start}) runs past the end of the file at ${r.bytes.length}`,
      );
    }
    const end = start + Number(byteSize);
    tensors.push({ name: info.name, type: info.type, ne: info.ne, data: r.bytes.subarray(start, end) });
    expected = alignUp(end - dataOffset, alignment);
    checkZeroPadding(r, end, dataOffset + expected, `after tensor '${info.name}'`);
  }
  const fileEnd = dataOffset + expected;
  if (r.bytes.length > fileEnd) {
    r.fail(`${r.bytes.length - fileEnd} unexpected bytes after the end of the data section at offset ${fileEnd}`);
  }
  return tensors;
}

/**
 * Parse a GGUF v3 file strictly (every rule of spec/gguf.md §5). `fileName` names the file in
 * errors. Tensor data are views into `bytes` (not copies). Throws InputError and nothing else.
 */
export function parseGguf(bytes: Uint8Array, fileName: string): GgufFile {
  const r = new ByteReader(bytes, fileName);
  readMagic(r);
  readVersion(r);
  const tensorCount = r.count("tensor count", MIN_TENSOR_INFO_BYTES);
  const keyValueCount = r.count("metadata key/value count", MIN_KEY_VALUE_BYTES);
  const { metadata, keyOffsets } = readMetadata(r, keyValueCount);
  const alignment = checkAlignment(r, metadata, keyOffsets);
  const seenNames = new Map<string, number>();
  const infos = Array.from({ length: tensorCount }, (_, i) => readTensorInfo(r, i, seenNames));
  const headerEnd = r.offset;
  // R16's one exception: a file without tensors may end right after its header (gguf-py writes no padding then;
  // llama.cpp's models/ggml-vocab-*.gguf are such files).
  if (infos.length === 0 && bytes.length === headerEnd) return GgufFile.create(fileName, metadata, []);
  const dataOffset = alignUp(headerEnd, alignment);
  checkZeroPadding(r, headerEnd, dataOffset, "between the header and the data section");
  const tensors = placeTensors(r, typeInfos(r, infos, metadata, dataOffset, alignment), dataOffset, alignment);
  return GgufFile.create(fileName, metadata, tensors);
}
