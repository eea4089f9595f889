/**
 * A GGUF v3 file in memory: ordered metadata, tensors in file order with their data, and the
 * layout (alignment, data-section offset, tensor offsets) that follows from them. Whatever built
 * it — the reader or code — a GgufFile is always valid, so writing it cannot fail.
 * Implements spec/gguf.md §1–§4 and §6.
 */

import { InputError } from "../errors.js";
import { fileDialect, type DialectReport } from "./dialect.js";
import { headerByteLength } from "./header-writer.js";
import {
  ALIGNMENT_KEY,
  GGUF_VERSION,
  alignUp,
  alignmentOf,
  alignmentProblem,
  dimensionCountProblem,
  tensorNameProblem,
} from "./rules.js";
import { tensorTypeName, tensorTypeSize, type GgufTensorType } from "./tensor-type.js";
import { stringProblem, valueProblem } from "./value-check.js";
import {
  GgufValueType,
  describeValueType,
  valueTypeName,
  type GgufArrayElements,
  type GgufElementType,
  type GgufKeyValue,
  type GgufValue,
} from "./value.js";

/** A tensor as it goes into a file. Spec §3. */
export interface GgufTensor {
  /** At most 63 UTF-8 bytes, unique in the file. */
  readonly name: string;
  /** A ggml type, or one of bitnet.cpp's (I2_S, TL1, TL2: the file is then in bitnet.cpp's dialect). */
  readonly type: GgufTensorType;
  /** Shape, innermost (contiguous) dimension first: a weight matrix is [in, out]. 1 to 4 entries. */
  readonly ne: readonly number[];
  /** The tensor's bytes, exactly as many as its type and shape need. */
  readonly data: Uint8Array;
}

/** A tensor placed in a file. Spec §3–§4. */
export interface GgufTensorInfo extends GgufTensor {
  /** Offset of the data from the start of the data section (a multiple of the alignment). */
  readonly offset: number;
  /** Bytes of data (without padding). */
  readonly byteSize: number;
}

const UTF8 = new TextEncoder();

/** What is wrong with the metadata as a whole, if anything: non-empty unique keys, valid values, valid alignment. Spec §5. */
function metadataProblem(metadata: readonly GgufKeyValue[]): string | undefined {
  const seen = new Set<string>();
  for (const { key, value } of metadata) {
    if (key === "") return "a metadata key is empty";
    const keyProblem = stringProblem(key);
    if (keyProblem !== undefined) return `metadata key ${JSON.stringify(key)}: ${keyProblem}`;
    if (seen.has(key)) return `duplicate metadata key '${key}'`;
    seen.add(key);
    const problem = valueProblem(value) ?? (key === ALIGNMENT_KEY ? alignmentProblem(value) : undefined);
    if (problem !== undefined) return `key '${key}': ${problem}`;
  }
  return undefined;
}

/** What is wrong with one tensor, if anything, or its byte size. Spec §3, §5. */
function checkTensor(tensor: GgufTensor): { problem: string } | { byteSize: number } {
  const nameProblem = stringProblem(tensor.name) ?? tensorNameProblem(UTF8.encode(tensor.name).length);
  if (nameProblem !== undefined) return { problem: `tensor name ${JSON.stringify(tensor.name)} ${nameProblem}` };
  const at = `tensor '${tensor.name}'`;
  const dimsProblem = dimensionCountProblem(tensor.ne.length);
  if (dimsProblem !== undefined) return { problem: `${at} ${dimsProblem}` };
  const badDim = tensor.ne.findIndex((n) => !Number.isSafeInteger(n) || n < 0);
  if (badDim >= 0)
    return { problem: `${at} dimension ${badDim} is ${tensor.ne[badDim]}, not a non-negative safe integer` };
  const size = tensorTypeSize(tensor.type, tensor.ne);
  if ("problem" in size) return { problem: `${at} ${size.problem}` };
  if (BigInt(tensor.data.length) !== size.bytes) {
    const type = tensorTypeName(tensor.type);
    return {
      problem: `${at} has ${tensor.data.length} bytes of data, but ${type} ${JSON.stringify(tensor.ne)} takes ${size.bytes}`,
    };
  }
  return { byteSize: tensor.data.length };
}

/** A valid GGUF v3 file in memory (see the module comment). Implements spec/gguf.md §1–§4. */
export class GgufFile {
  /** The GGUF version: always 3. */
  readonly version = GGUF_VERSION;
  /** Alignment of the data section and of every tensor's offset (`general.alignment`, default 32). */
  readonly alignment: number;
  /** Tensors in file order, with their offsets. */
  readonly tensors: readonly GgufTensorInfo[];
  /** Absolute offset of the data section: the header's length rounded up to the alignment. */
  readonly dataOffset: number;
  /** Length of the serialized file: the data section ends padded to the alignment. */
  readonly byteLength: number;
  private readonly valuesByKey: ReadonlyMap<string, GgufValue>;
  private readonly tensorsByName: ReadonlyMap<string, GgufTensorInfo>;
  private dialectReport?: DialectReport;

  private constructor(
    /** The name errors about this file use (its path, as the user gave it). */
    readonly name: string,
    /** Metadata in file order (order is kept byte for byte when writing). */
    readonly metadata: readonly GgufKeyValue[],
    tensors: readonly GgufTensor[],
    byteSizes: readonly number[],
  ) {
    this.alignment = alignmentOf(metadata);
    let offset = 0;
    this.tensors = tensors.map((tensor, i) => {
      const placed = {
        name: tensor.name,
        type: tensor.type,
        ne: [...tensor.ne],
        data: tensor.data,
        offset,
        byteSize: byteSizes[i],
      };
      offset += alignUp(byteSizes[i], this.alignment);
      return placed;
    });
    this.dataOffset = alignUp(headerByteLength(metadata, this.tensors), this.alignment);
    this.byteLength = this.dataOffset + offset;
    this.valuesByKey = new Map(metadata.map((kv) => [kv.key, kv.value]));
    this.tensorsByName = new Map(this.tensors.map((t) => [t.name, t]));
  }

  /**
   * Build a file from metadata (in order) and tensors (in order), laying the tensors out one after
   * another, each padded to the alignment. Throws InputError(name, …) for anything GGUF cannot hold:
   * empty or duplicate keys, a bad `general.alignment`, out-of-range values, duplicate or long tensor
   * names, 0 or more than 4 dimensions, types the oracle does not implement, a row that is not whole
   * blocks, data of the wrong length. Spec §3–§6.
   */
  static create(name: string, metadata: readonly GgufKeyValue[], tensors: readonly GgufTensor[]): GgufFile {
    const metaProblem = metadataProblem(metadata);
    if (metaProblem !== undefined) throw new InputError(name, metaProblem);
    const byteSizes: number[] = [];
    const names = new Set<string>();
    for (const tensor of tensors) {
      if (names.has(tensor.name)) throw new InputError(name, `duplicate tensor name '${tensor.name}'`);
      names.add(tensor.name);
      const checked = checkTensor(tensor);
      if ("problem" in checked) throw new InputError(name, checked.problem);
      byteSizes.push(checked.byteSize);
    }
    return new GgufFile(name, [...metadata], [...tensors], byteSizes);
  }

  /**
   * The file's GGUF dialect and the evidence for it: bitnet.cpp when it holds one of bitnet.cpp's types or an
   * architecture only bitnet.cpp writes, else ggml. Spec: spec/bitnet.md §1.
   */
  get dialect(): DialectReport {
    if (this.dialectReport === undefined) {
      const arch = this.get("general.architecture");
      this.dialectReport = fileDialect(arch?.type === GgufValueType.STRING ? arch.value : undefined, this.tensors);
    }
    return this.dialectReport;
  }

  /** The value of `key`, or `undefined` when absent. Spec §2. */
  get(key: string): GgufValue | undefined {
    return this.valuesByKey.get(key);
  }

  /** The tensor called `name`, or `undefined`. Spec §3. */
  tensor(name: string): GgufTensorInfo | undefined {
    return this.tensorsByName.get(name);
  }

  /** A string value; `undefined` when absent; InputError when the key has another type. Spec §2. */
  getString(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (value.type !== GgufValueType.STRING) this.wrongType(key, value, GgufValueType.STRING);
    return value.value;
  }

  /** A u32 value; `undefined` when absent; InputError when the key has another type. Spec §2. */
  getUint32(key: string): number | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (value.type !== GgufValueType.UINT32) this.wrongType(key, value, GgufValueType.UINT32);
    return value.value;
  }

  /** An f32 value; `undefined` when absent; InputError when the key has another type. Spec §2. */
  getFloat32(key: string): number | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (value.type !== GgufValueType.FLOAT32) this.wrongType(key, value, GgufValueType.FLOAT32);
    return value.value;
  }

  /** A bool value; `undefined` when absent; InputError when the key has another type. Spec §2. */
  getBool(key: string): boolean | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (value.type !== GgufValueType.BOOL) this.wrongType(key, value, GgufValueType.BOOL);
    return value.value;
  }

  /**
   * The elements of an array whose elements have type `elementType` (a typed array for numbers,
   * `string[]`, `boolean[]`, or inner arrays); `undefined` when absent; InputError for another type. Spec §2.
   */
  getArray<E extends GgufElementType>(key: string, elementType: E): GgufArrayElements[E] | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    if (value.type !== GgufValueType.ARRAY || value.elementType !== elementType) {
      throw new InputError(
        this.name,
        `key '${key}' has type ${describeValueType(value)}, expected arr[${valueTypeName(elementType)}]`,
      );
    }
    return value.values as GgufArrayElements[E];
  }

  private wrongType(key: string, value: GgufValue, expected: GgufValueType): never {
    throw new InputError(
      this.name,
      `key '${key}' has type ${describeValueType(value)}, expected ${valueTypeName(expected)}`,
    );
  }
}
