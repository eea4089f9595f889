/**
 * GGUF dialects: mainline ggml and bitnet.cpp number tensor types alike up to TQ2_0 (35) and apart after
 * it. bitnet.cpp's fork has I2_S 36, I8_S 37, TL1 38, TL2 39 (and its file types TL1 38, TL2 39, I2_S 40);
 * mainline removed 36–38 (IQ4_NL_4_4/4_8/8_8) and has MXFP4 39, NVFP4 40, Q1_0 41, Q2_0 42 (file types
 * MXFP4_MOE 38, NVFP4 39, Q1_0 40, Q2_0 41). A file's dialect is decided from evidence — the architecture
 * name, type ids only one dialect has, and, for id 39, which reading's byte size fits the tensor's slot —
 * and a type id that means two things is read only when the evidence agrees; otherwise the reader stops
 * with one line naming the tensor and both readings. Implements spec/bitnet.md §1 and spec/gguf.md §10.
 */

import { BitnetCppType, bitnetCppTensorBytes, bitnetCppType, ggmlTypeTraits } from "../../reference/codec/index.js";
import { InputError } from "../errors.js";
import { unknownTensorTypeProblem } from "./rules.js";
import { isBitnetCppType, tensorTypeName, type GgufTensorType } from "./tensor-type.js";

/** Which numbering of tensor types a GGUF file uses: mainline ggml's or bitnet.cpp's fork's. Spec: spec/bitnet.md §1. */
export type GgufDialect = "ggml" | "bitnet.cpp";

/**
 * `general.architecture` values only bitnet.cpp writes: its converter's MODEL_ARCH.BITNET_B158 and the
 * first 2B-4T release's `bitnet-25`. Plain `bitnet` is written by both (mainline LLM_ARCH_BITNET and the
 * merge-dev fork), so it decides nothing. Spec: spec/bitnet.md §1.
 */
export const BITNET_CPP_ARCHITECTURES: readonly string[] = ["bitnet-b1.58", "bitnet-25"];

/** Mainline ggml's meaning of an id from 36 on: its name, and its block geometry where it still exists. */
interface MainlineType {
  readonly name: string;
  /** Elements and bytes per block; absent for an id mainline removed from GGUF files. */
  readonly block?: { readonly size: number; readonly bytes: number };
}

/** ggml.h (llama.cpp de3ff815): the ids from 36 on, where the two dialects part. Spec: spec/bitnet.md §1. */
const MAINLINE_TYPES: ReadonlyMap<number, MainlineType> = new Map([
  [36, { name: "IQ4_NL_4_4" }],
  [37, { name: "IQ4_NL_4_8" }],
  [38, { name: "IQ4_NL_8_8" }],
  [39, { name: "MXFP4", block: { size: 32, bytes: 17 } }],
  [40, { name: "NVFP4", block: { size: 64, bytes: 36 } }],
  [41, { name: "Q1_0", block: { size: 128, bytes: 18 } }],
  [42, { name: "Q2_0", block: { size: 64, bytes: 18 } }],
]);

/** A tensor info as the reader saw it, before its type id is given a meaning. */
export interface RawTensorType {
  readonly name: string;
  readonly typeId: number;
  readonly ne: readonly number[];
  /** Bytes from this tensor's offset to the next one's (or to the end of the file); undefined when unknown. */
  readonly slotBytes?: bigint;
}

/** The dialect of a file and why. Spec: spec/bitnet.md §1. */
export interface DialectReport {
  readonly dialect: GgufDialect;
  /** One line per piece of evidence; empty for a file whose type ids mean the same in both (read as ggml). */
  readonly evidence: readonly string[];
}

interface Evidence {
  readonly dialect: GgufDialect;
  readonly reason: string;
}

/** Does the type id depend on the dialect (36–42)? Such ids are read only after the dialect is decided. */
export function isDialectDependentTypeId(id: number): boolean {
  return MAINLINE_TYPES.has(id);
}

/** Bytes a tensor of mainline type `id` and shape `ne` takes, or undefined (removed id, partial block). */
function mainlineBytes(id: number, ne: readonly number[]): bigint | undefined {
  const block = MAINLINE_TYPES.get(id)?.block;
  if (block === undefined || ne[0] % block.size !== 0) return undefined;
  return ne.slice(1).reduce((n, d) => n * BigInt(d), BigInt(ne[0] / block.size) * BigInt(block.bytes));
}

/** Does data of `bytes`, padded to `alignment`, fill exactly `slot` bytes? */
function fillsSlot(bytes: bigint | undefined, slot: bigint, alignment: number): boolean {
  if (bytes === undefined) return false;
  const a = BigInt(alignment);
  return ((bytes + a - 1n) / a) * a === slot;
}

/** "TL2 in bitnet.cpp or MXFP4 in mainline ggml": the two readings of id 39. */
function twoReadings(id: number): string {
  return `${tensorTypeName(id).toUpperCase()} in bitnet.cpp or ${MAINLINE_TYPES.get(id)?.name} in mainline ggml`;
}

/** What one tensor's type id says about the dialect, if anything. */
function typeEvidence(t: RawTensorType, alignment: number): Evidence | undefined {
  const mainline = MAINLINE_TYPES.get(t.typeId);
  if (mainline === undefined) return undefined;
  const bitnet = bitnetCppType(t.typeId);
  const at = `tensor '${t.name}' has type id ${t.typeId}`;
  if (bitnet === undefined) {
    return { dialect: "ggml", reason: `${at}, ${mainline.name} in mainline ggml (bitnet.cpp has no type ${t.typeId})` };
  }
  if (mainline.block === undefined) {
    const name = tensorTypeName(t.typeId).toUpperCase();
    return { dialect: "bitnet.cpp", reason: `${at}, ${name} in bitnet.cpp (mainline ggml removed ${mainline.name})` };
  }
  if (t.slotBytes === undefined) return undefined;
  const asBitnet = bitnetCppTensorBytes(bitnet, t.ne);
  const asMainline = mainlineBytes(t.typeId, t.ne);
  const fitsBitnet = fillsSlot(asBitnet, t.slotBytes, alignment);
  if (fitsBitnet === fillsSlot(asMainline, t.slotBytes, alignment)) return undefined;
  const [fits, not] = fitsBitnet
    ? [`${tensorTypeName(t.typeId).toUpperCase()} (${asBitnet} bytes)`, `${mainline.name} (${asMainline ?? "no size"})`]
    : [
        `${mainline.name} (${asMainline} bytes)`,
        `${tensorTypeName(t.typeId).toUpperCase()} (${asBitnet ?? "no size"})`,
      ];
  const reason = `${at} and its ${t.slotBytes}-byte slot fits ${fits}, not ${not}`;
  return { dialect: fitsBitnet ? "bitnet.cpp" : "ggml", reason };
}

/** What `general.architecture` says about the dialect, if anything. */
function architectureEvidence(architecture: string | undefined): Evidence | undefined {
  if (architecture === undefined || !BITNET_CPP_ARCHITECTURES.includes(architecture)) return undefined;
  return { dialect: "bitnet.cpp", reason: `general.architecture is '${architecture}', which only bitnet.cpp writes` };
}

/** Why an ambiguous tensor's reading is not decided, for the message. */
function undecided(t: RawTensorType, alignment: number): string {
  const bitnet = bitnetCppType(t.typeId) as BitnetCppType;
  const asBitnet = bitnetCppTensorBytes(bitnet, t.ne);
  const asMainline = mainlineBytes(t.typeId, t.ne);
  if (t.slotBytes === undefined) return "its size is not known";
  const fits = fillsSlot(asBitnet, t.slotBytes, alignment) ? "both" : "neither";
  const sizes = `${tensorTypeName(t.typeId).toUpperCase()} ${asBitnet ?? "no size"}, ${MAINLINE_TYPES.get(t.typeId)?.name} ${asMainline ?? "no size"} bytes`;
  return `its ${t.slotBytes}-byte slot (alignment ${alignment}) fits ${fits} (${sizes})`;
}

/**
 * Decide a file's dialect from its architecture and tensor type ids (with the byte slots each tensor's offsets
 * leave). Throws InputError(fileName, …) when the evidence disagrees, or when a tensor's id has two meanings
 * and nothing decides between them: the line names the tensor and both readings. Spec: spec/bitnet.md §1.
 */
export function resolveDialect(
  fileName: string,
  architecture: string | undefined,
  tensors: readonly RawTensorType[],
  alignment: number,
): DialectReport {
  const evidence: Evidence[] = [];
  const arch = architectureEvidence(architecture);
  if (arch !== undefined) evidence.push(arch);
  for (const t of tensors) {
    const found = typeEvidence(t, alignment);
    if (found !== undefined) evidence.push(found);
  }
  const ambiguous = tensors.find((t) => bitnetCppType(t.typeId) !== undefined && MAINLINE_TYPES.get(t.typeId)?.block);
  const forBitnet = evidence.find((e) => e.dialect === "bitnet.cpp");
  const forGgml = evidence.find((e) => e.dialect === "ggml");
  if (forBitnet !== undefined && forGgml !== undefined) {
    const head =
      ambiguous === undefined
        ? "the file mixes the two GGUF dialects"
        : `tensor '${ambiguous.name}' has type id ${ambiguous.typeId}, ${twoReadings(ambiguous.typeId)}, and the evidence disagrees`;
    throw new InputError(fileName, `${head}: ${forBitnet.reason} (bitnet.cpp), but ${forGgml.reason} (ggml)`);
  }
  if (evidence.length === 0 && ambiguous !== undefined) {
    throw new InputError(
      fileName,
      `tensor '${ambiguous.name}' has type id ${ambiguous.typeId}, ${twoReadings(ambiguous.typeId)}, and nothing in the file ` +
        `decides which: ${undecided(ambiguous, alignment)}; architecture ${architecture === undefined ? "absent" : `'${architecture}'`}`,
    );
  }
  return { dialect: evidence[0]?.dialect ?? "ggml", evidence: evidence.map((e) => e.reason) };
}

/**
 * The type a type id means in `dialect`, or what is wrong: an id neither dialect has, or one the oracle does
 * not implement (mainline's MXFP4, NVFP4, Q1_0, Q2_0, named as such). Spec: spec/bitnet.md §1, spec/gguf.md §5 R11.
 */
export function typeInDialect(dialect: GgufDialect, id: number): { type: GgufTensorType } | { problem: string } {
  const traits = ggmlTypeTraits(id);
  if (traits !== undefined) return { type: traits.type };
  const bitnet = bitnetCppType(id);
  if (dialect === "bitnet.cpp" && bitnet !== undefined) return { type: bitnet };
  const mainline = MAINLINE_TYPES.get(id);
  if (dialect === "ggml" && mainline !== undefined) {
    const what =
      mainline.block === undefined
        ? "an id mainline ggml removed from GGUF files"
        : "which the oracle does not implement";
    return { problem: `has ggml type id ${id} (${mainline.name} in mainline ggml), ${what}` };
  }
  return { problem: unknownTensorTypeProblem(id) };
}

/** Most tensors named in a file's dialect evidence; the rest are counted. */
const MAX_NAMED_TENSORS = 3;

/**
 * The dialect of a file in memory, whose types are already decided: bitnet.cpp when it holds a bitnet.cpp type
 * or its architecture is one only bitnet.cpp writes, else ggml. Spec: spec/bitnet.md §1.
 */
export function fileDialect(
  architecture: string | undefined,
  tensors: readonly { readonly name: string; readonly type: GgufTensorType; readonly ne: readonly number[] }[],
): DialectReport {
  const evidence: string[] = [];
  const arch = architectureEvidence(architecture);
  if (arch !== undefined) evidence.push(arch.reason);
  const bitnet = tensors.filter((t) => isBitnetCppType(t.type));
  for (const t of bitnet.slice(0, MAX_NAMED_TENSORS)) {
    const mainline = MAINLINE_TYPES.get(t.type);
    evidence.push(
      `tensor '${t.name}' is ${tensorTypeName(t.type).toUpperCase()} (type id ${t.type}; ${mainline?.name} in mainline ggml)`,
    );
  }
  if (bitnet.length > MAX_NAMED_TENSORS)
    evidence.push(`and ${bitnet.length - MAX_NAMED_TENSORS} more bitnet.cpp tensors`);
  return { dialect: evidence.length > 0 ? "bitnet.cpp" : "ggml", evidence };
}
