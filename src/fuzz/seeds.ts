/**
 * Seed inputs the fuzzer mutates: small valid files built with the writers (GgufFile.create +
 * serializeGguf, serializeSafetensors, serializeNpy, caseJsonOf), plus whatever the caller loads
 * from disk (the golden GGUF's header region, the golden manifests). Pure.
 */

import { GgmlType } from "../../reference/codec/index.js";
import {
  GgufFile,
  GgufValueType,
  parseGguf,
  serializeGguf,
  type GgufKeyValue,
  type GgufTensor,
} from "../gguf/index.js";
import { caseJsonOf, KERNEL_ACTIVATIONS, KERNEL_FORMATS, KERNEL_OPS } from "../harness/protocol.js";
import { serializeNpy } from "../io/npy.js";
import { serializeSafetensors } from "../safetensors/index.js";
import { bitnetCppSeedFile } from "./bitnet-cpp-seed.js";

/** The seeds of every parser, as bytes or text. */
export interface FuzzSeeds {
  readonly gguf: readonly Uint8Array[];
  readonly safetensors: readonly Uint8Array[];
  readonly npy: readonly Uint8Array[];
  readonly manifest: readonly string[];
  readonly caseJson: readonly string[];
}

/** What the caller read from disk to seed with (either may be absent). */
export interface DiskSeeds {
  /** The first bytes of a real GGUF model (e.g. golden/external/llama/tiny-tq2_0.gguf). */
  readonly ggufPrefix?: Uint8Array;
  /** A whole real GGUF model, whose metadata seeds a small rebuilt file. */
  readonly ggufModel?: Uint8Array;
  /** Golden manifest texts. */
  readonly manifests?: readonly string[];
}

function filled(length: number, byte: (i: number) => number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => byte(i));
}

/** Small valid tensors of several types (zeros or small patterns: valid data for every type). */
function smallTensors(): GgufTensor[] {
  return [
    { name: "token_embd.weight", type: GgmlType.F32, ne: [4, 2], data: new Uint8Array(32) },
    { name: "blk.0.attn_q.weight", type: GgmlType.TQ2_0, ne: [256, 1], data: new Uint8Array(66) },
    { name: "blk.0.ffn_up.weight", type: GgmlType.TQ1_0, ne: [256], data: new Uint8Array(54) },
    { name: "output_norm.weight", type: GgmlType.F16, ne: [3], data: filled(6, (i) => (i % 2 === 1 ? 0x3c : 0)) },
  ];
}

function smallMetadata(): GgufKeyValue[] {
  return [
    { key: "general.architecture", value: { type: GgufValueType.STRING, value: "llama" } },
    { key: "general.alignment", value: { type: GgufValueType.UINT32, value: 32 } },
    { key: "llama.block_count", value: { type: GgufValueType.UINT32, value: 1 } },
    {
      key: "tokenizer.ggml.tokens",
      value: { type: GgufValueType.ARRAY, elementType: GgufValueType.STRING, values: ["<s>", "</s>", "a"] },
    },
    {
      key: "nested",
      value: {
        type: GgufValueType.ARRAY,
        elementType: GgufValueType.ARRAY,
        values: [{ type: GgufValueType.ARRAY, elementType: GgufValueType.UINT8, values: Uint8Array.of(1, 2, 3) }],
      },
    },
    { key: "flag", value: { type: GgufValueType.BOOL, value: true } },
    { key: "big", value: { type: GgufValueType.UINT64, value: 1n << 40n } },
  ];
}

/**
 * GGUF seeds: built files (with and without tensors, alignment 32 and 64), bitnet.cpp-dialect files (its
 * architecture name and I2_S/TL1/TL2; TL2 alone under the shared name 'bitnet') and the disk seeds.
 */
function ggufSeeds(disk: DiskSeeds): Uint8Array[] {
  const meta = smallMetadata();
  const tensors = smallTensors();
  const aligned64 = meta.map((kv): GgufKeyValue =>
    kv.key === "general.alignment" ? { key: kv.key, value: { type: GgufValueType.UINT32 as const, value: 64 } } : kv,
  );
  const out = [
    serializeGguf(GgufFile.create("seed", meta, tensors)),
    serializeGguf(GgufFile.create("seed", aligned64, tensors.slice(0, 2))),
    serializeGguf(GgufFile.create("seed", [], tensors.slice(0, 1))),
    serializeGguf(GgufFile.create("seed", meta.slice(0, 1), [])),
    serializeGguf(bitnetCppSeedFile()),
    serializeGguf(bitnetCppSeedFile({ architecture: "bitnet", onlyTl2: true })),
  ];
  if (disk.ggufModel !== undefined) {
    const model = parseGguf(disk.ggufModel, "model");
    out.push(serializeGguf(GgufFile.create("seed", model.metadata, tensors.slice(0, 2))));
  }
  if (disk.ggufPrefix !== undefined) out.push(disk.ggufPrefix);
  return out;
}

function safetensorsSeeds(): Uint8Array[] {
  const f32 = { name: "w", dtype: "F32" as const, shape: [2, 3], data: filled(24, (i) => i) };
  const f16 = { name: "b", dtype: "F16" as const, shape: [4], data: filled(8, (i) => i) };
  const bf16 = { name: "s", dtype: "BF16" as const, shape: [], data: filled(2, () => 0x3f) };
  return [
    serializeSafetensors([f32, f16, bf16], { format: "pt" }),
    serializeSafetensors([f32]),
    serializeSafetensors([]),
    serializeSafetensors([{ name: "e", dtype: "F32", shape: [0, 5], data: new Uint8Array(0) }, f16]),
  ];
}

function npySeeds(): Uint8Array[] {
  return [
    serializeNpy({ dtype: "<f4", shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }),
    serializeNpy({ dtype: "|i1", shape: [4], data: Int8Array.of(-1, 0, 1, 2) }),
    serializeNpy({ dtype: "|u1", shape: [], data: Uint8Array.of(7) }),
    serializeNpy({ dtype: "<f4", shape: [0, 256], data: new Float32Array(0) }),
  ];
}

function caseJsonSeeds(): string[] {
  const out: string[] = [];
  for (const op of KERNEL_OPS) {
    for (const format of KERNEL_FORMATS) {
      for (const activations of KERNEL_ACTIVATIONS) {
        const batch = op === "matmul" ? 2 : 1;
        out.push(
          JSON.stringify(
            { ...caseJsonOf({ op, format, rows: 3, cols: 256, batch, activations }), label: "seed" },
            null,
            2,
          ),
        );
      }
    }
  }
  return out;
}

/** All seeds: the built ones plus `disk`. */
export function buildSeeds(disk: DiskSeeds = {}): FuzzSeeds {
  return {
    gguf: ggufSeeds(disk),
    safetensors: safetensorsSeeds(),
    npy: npySeeds(),
    manifest: disk.manifests ?? [],
    caseJson: caseJsonSeeds(),
  };
}
