/**
 * TriRun weights on disk (browser-safe), as safetensors tensors named the way TriRun's `Layer` names its buffers:
 *
 *   <prefix>B   I32 [k/16, n]      the packed codes (reference/codec/trirun.ts, spec/trirun.md §5)
 *   <prefix>s   F16 [groups, n]    the permuted scales, groups = 1 (per column) or k/128 (spec/trirun.md §6)
 *
 * (`workspace` is implied by n and not stored.) A single weight file has prefix "" and `__metadata__`
 * {"k", "n", "groupsize"}; the group size is read from there, or from the shape of `s` where that is unambiguous
 * (k = 128 with one scale row is either mode, so such a file must say).
 *
 * The same weight as a folder of NumPy files (the arrays a Python user hands to `Layer`, and the `B.npy` /
 * `s.npy` of a kernel case directory, spec/kernel-protocol.md): B.npy '<i4' (k/16, n), s.npy '<f2' (groups, n)
 * and trirun.json {"k", "n", "groupsize"}.
 */

import {
  TRIRUN_GROUP_SIZE,
  TRIRUN_TILE,
  assertTrirunShape,
  type TrirunGroupSize,
  type TrirunPacked,
} from "../../reference/codec/trirun.js";
import { InputError } from "../errors.js";
import { parseNpy, pythonTupleRepr, serializeNpy, type NpyArray } from "../io/npy.js";
import {
  parseSafetensors,
  serializeSafetensors,
  type SafetensorsFile,
  type SafetensorsStoredDtype,
  type SafetensorsTensorInput,
} from "../safetensors/index.js";

/** The safetensors tensors `<prefix>B` (I32 [k/16, n]) and `<prefix>s` (F16 [groups, n]) of one packed weight. */
export function trirunSafetensorsTensors(prefix: string, packed: TrirunPacked): SafetensorsTensorInput[] {
  const B = new Uint8Array(packed.B.length * 4);
  const bView = new DataView(B.buffer);
  packed.B.forEach((word, i) => bView.setInt32(4 * i, word, true));
  const s = new Uint8Array(packed.s.length * 2);
  const sView = new DataView(s.buffer);
  packed.s.forEach((bits, i) => sView.setUint16(2 * i, bits, true));
  return [
    { name: `${prefix}B`, dtype: "I32", shape: [packed.k / TRIRUN_TILE, packed.n], data: B },
    { name: `${prefix}s`, dtype: "F16", shape: [packed.s.length / packed.n, packed.n], data: s },
  ];
}

/** A single TriRun weight as a safetensors file: tensors `B` and `s`, `__metadata__` {k, n, groupsize}. */
export function serializeTrirunWeight(packed: TrirunPacked): Uint8Array {
  return serializeSafetensors(trirunSafetensorsTensors("", packed), {
    k: String(packed.k),
    n: String(packed.n),
    groupsize: String(packed.groupSize),
  });
}

/** The group size of a file whose `s` has `rows` rows for k inputs, from its metadata or its shape. */
function groupSizeOf(metadata: string | undefined, rows: number, k: number, fileName: string): TrirunGroupSize {
  if (metadata !== undefined) {
    if (metadata !== "-1" && metadata !== String(TRIRUN_GROUP_SIZE)) {
      throw new InputError(fileName, `groupsize "${metadata}" must be -1 or ${TRIRUN_GROUP_SIZE}`);
    }
    return metadata === "-1" ? -1 : TRIRUN_GROUP_SIZE;
  }
  if (rows === 1 && k === TRIRUN_GROUP_SIZE) {
    throw new InputError(
      fileName,
      `k = ${k} with one scale row is per column or groups of ${TRIRUN_GROUP_SIZE}: __metadata__ must give groupsize`,
    );
  }
  return rows === 1 ? -1 : TRIRUN_GROUP_SIZE;
}

/**
 * Read a TriRun weight written by serializeTrirunWeight (or any safetensors file with I32 `B` [k/16, n] and F16
 * `s` [groups, n]). InputError naming `fileName` for a missing tensor, a wrong dtype or shape, or a shape TriRun
 * refuses.
 */
export function parseTrirunWeight(bytes: Uint8Array, fileName: string): TrirunPacked {
  const file = parseSafetensors(bytes, fileName, { int32: true });
  return trirunWeightOf(file, "", file.metadata.get("groupsize"));
}

/**
 * The packed weight `<prefix>B`, `<prefix>s` of a parsed safetensors file (a model folder's model.safetensors
 * has prefix "<layer>."), its group size `groupsize` ("-1" or "128"; undefined: from the shape of `s`).
 * InputError naming the file as parseTrirunWeight.
 */
export function trirunWeightOf(
  file: SafetensorsFile<SafetensorsStoredDtype>,
  prefix: string,
  groupsize: string | undefined,
): TrirunPacked {
  const fileName = file.name;
  const B = file.tensors.get(`${prefix}B`);
  const s = file.tensors.get(`${prefix}s`);
  if (B === undefined || s === undefined) {
    throw new InputError(
      fileName,
      `a TriRun weight needs tensors '${prefix}B' (I32) and '${prefix}s' (F16); missing '${prefix}${B === undefined ? "B" : "s"}'`,
    );
  }
  if (B.dtype !== "I32" || B.shape.length !== 2) {
    throw new InputError(fileName, `tensor '${prefix}B' is ${B.dtype} [${B.shape.join(", ")}], expected I32 [k/16, n]`);
  }
  const [rows, n] = B.shape;
  const k = rows * TRIRUN_TILE;
  if (s.dtype !== "F16" || s.shape.length !== 2 || s.shape[1] !== n) {
    throw new InputError(
      fileName,
      `tensor '${prefix}s' is ${s.dtype} [${s.shape.join(", ")}], expected F16 [groups, ${n}]`,
    );
  }
  const groupSize = groupSizeOf(groupsize, s.shape[0], k, fileName);
  const expectedRows = groupSize === -1 ? 1 : k / TRIRUN_GROUP_SIZE;
  try {
    assertTrirunShape({ k, n, groupSize });
  } catch (error) {
    throw new InputError(fileName, error instanceof Error ? error.message : String(error));
  }
  if (s.shape[0] !== expectedRows) {
    throw new InputError(
      fileName,
      `tensor '${prefix}s' has ${s.shape[0]} rows; k = ${k} with group size ${groupSize} takes ${expectedRows}`,
    );
  }
  const bView = new DataView(B.data.buffer, B.data.byteOffset, B.data.byteLength);
  const sView = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
  return {
    k,
    n,
    groupSize,
    B: Int32Array.from({ length: rows * n }, (_, i) => bView.getInt32(4 * i, true)),
    s: Uint16Array.from({ length: expectedRows * n }, (_, i) => sView.getUint16(2 * i, true)),
  };
}

/** The files of a TriRun weight's .npy folder. */
export const TRIRUN_NPY_FILES = { B: "B.npy", s: "s.npy", description: "trirun.json" } as const;

/** The bytes of a weight's .npy folder files: B.npy, s.npy and trirun.json {k, n, groupsize}. */
export function serializeTrirunNpy(packed: TrirunPacked): Record<keyof typeof TRIRUN_NPY_FILES, Uint8Array> {
  const { k, n, groupSize } = packed;
  return {
    B: serializeNpy({ dtype: "<i4", shape: [k / TRIRUN_TILE, n], data: packed.B }),
    s: serializeNpy({ dtype: "<f2", shape: [packed.s.length / n, n], data: packed.s }),
    description: new TextEncoder().encode(`${JSON.stringify({ k, n, groupsize: groupSize })}\n`),
  };
}

/** trirun.json's positive integer `key`; InputError naming `fileName` otherwise. */
function descriptionCount(json: Record<string, unknown>, key: string, fileName: string): number {
  const value = json[key];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0)
    throw new InputError(fileName, `key '${key}' must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * A weight from its .npy folder files (as serializeTrirunNpy writes them), `paths` the names errors use.
 * InputError naming the file: JSON or .npy that does not parse, a group size not -1 or 128, a shape TriRun
 * refuses, an array of the wrong dtype or shape for the k, n and group size trirun.json gives.
 */
export function parseTrirunNpy(
  files: Readonly<Record<keyof typeof TRIRUN_NPY_FILES, Uint8Array>>,
  paths: Readonly<Record<keyof typeof TRIRUN_NPY_FILES, string>>,
): TrirunPacked {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(files.description));
  } catch (error) {
    throw new InputError(
      paths.description,
      `is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new InputError(paths.description, "must be a JSON object {k, n, groupsize}");
  const record = json as Record<string, unknown>;
  const k = descriptionCount(record, "k", paths.description);
  const n = descriptionCount(record, "n", paths.description);
  const groupSize = groupSizeOf(String(record.groupsize), 0, k, paths.description);
  try {
    assertTrirunShape({ k, n, groupSize });
  } catch (error) {
    throw new InputError(paths.description, error instanceof Error ? error.message : String(error));
  }
  const B = parseNpy(files.B, paths.B);
  const sArray = parseNpy(files.s, paths.s);
  const rows = groupSize === -1 ? 1 : k / TRIRUN_GROUP_SIZE;
  const wrong = (path: string, dtype: string, shape: readonly number[], actual: NpyArray): InputError =>
    new InputError(
      path,
      `holds '${actual.dtype}' ${pythonTupleRepr(actual.shape)}; k=${k}, n=${n}, group size ${groupSize} take '${dtype}' ${pythonTupleRepr(shape)}`,
    );
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (B.dtype !== "<i4" || !same(B.shape, [k / TRIRUN_TILE, n])) throw wrong(paths.B, "<i4", [k / TRIRUN_TILE, n], B);
  if (sArray.dtype !== "<f2" || !same(sArray.shape, [rows, n])) throw wrong(paths.s, "<f2", [rows, n], sArray);
  return { k, n, groupSize, B: B.data, s: sArray.data };
}
