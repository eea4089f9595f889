/**
 * GGUF dialects (spec/bitnet.md §1): the reader tells bitnet.cpp's files from mainline ggml's by evidence
 * and never reads a type id that means two things without it. Files are the oracle's own fixtures
 * (src/fuzz/bitnet-cpp-seed.ts, laid out as bitnet.cpp's converter writes them) and mainline files made
 * from them by patching tensor infos.
 */

import { describe, expect, test } from "vitest";
import { BitnetCppType, GgmlType } from "../../../reference/codec/index.js";
import { InputError } from "../../../src/errors.js";
import { bitnetCppSeedFile } from "../../../src/fuzz/bitnet-cpp-seed.js";
import { fileDialect, resolveDialect } from "../../../src/gguf/dialect.js";
import { GgufFile } from "../../../src/gguf/gguf-file.js";
import { parseGguf } from "../../../src/gguf/reader.js";
import { GgufValueType } from "../../../src/gguf/value.js";
import { serializeGguf } from "../../../src/gguf/writer.js";

/** Rewrite the shape and/or type id of tensor `name` in a serialized file's info table (same dimension count). */
function patchInfo(bytes: Uint8Array, name: string, patch: { ne?: readonly number[]; type?: number }): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const encoded = new TextEncoder().encode(name);
  for (let at = 8; at + 8 + encoded.length < out.length; at++) {
    if (view.getBigUint64(at, true) !== BigInt(encoded.length)) continue;
    if (!encoded.every((b, i) => out[at + 8 + i] === b)) continue;
    let p = at + 8 + encoded.length;
    const nDims = view.getUint32(p, true);
    p += 4;
    for (let d = 0; d < nDims; d++, p += 8) if (patch.ne !== undefined) view.setBigUint64(p, BigInt(patch.ne[d]), true);
    if (patch.type !== undefined) view.setUint32(p, patch.type, true);
    return out;
  }
  throw new Error(`no tensor info '${name}'`);
}

/** The InputError parsing `bytes` throws. */
function parseError(bytes: Uint8Array, name = "f.gguf"): InputError {
  try {
    parseGguf(bytes, name);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("parsed");
}

/** A mainline file: an F32 tensor 'w' of 544 bytes ([68, 2]) relabelled MXFP4 [256, 4] (8 blocks · 17 · 4 rows). */
function mainlineMxfp4(architecture = "llama", alignment?: number): Uint8Array {
  const metadata = [
    { key: "general.architecture", value: { type: GgufValueType.STRING as const, value: architecture } },
    ...(alignment === undefined
      ? []
      : [{ key: "general.alignment", value: { type: GgufValueType.UINT32 as const, value: alignment } }]),
  ];
  const file = GgufFile.create("m.gguf", metadata, [
    { name: "w", type: GgmlType.F32, ne: [68, 2], data: new Uint8Array(544) },
  ]);
  return patchInfo(serializeGguf(file), "w", { ne: [256, 4], type: 39 });
}

describe("bitnet.cpp files", () => {
  test("the converter's layout reads back as bitnet.cpp with its types and sizes, and rewrites byte for byte", () => {
    const bytes = serializeGguf(bitnetCppSeedFile());
    const file = parseGguf(bytes, "b.gguf");
    expect(file.dialect.dialect).toBe("bitnet.cpp");
    expect(file.dialect.evidence[0]).toBe("general.architecture is 'bitnet-b1.58', which only bitnet.cpp writes");
    expect(file.tensors.map((t) => [t.type, t.byteSize])).toEqual([
      [BitnetCppType.I2_S, 160],
      [BitnetCppType.TL1, 160],
      [BitnetCppType.TL2, 2720],
      [GgmlType.F32, 512],
    ]);
    expect(new DataView(file.tensors[0].data.buffer, file.tensors[0].data.byteOffset).getFloat32(128, true)).toBe(0.5);
    expect(serializeGguf(file)).toEqual(bytes);
  });

  test("type ids 36 and 38 alone decide bitnet.cpp (mainline removed them)", () => {
    const bytes = serializeGguf(bitnetCppSeedFile({ architecture: "llama" }));
    const report = resolveDialect("b.gguf", "llama", [{ name: "a", typeId: 36, ne: [128, 4] }], 32);
    expect(report).toEqual({
      dialect: "bitnet.cpp",
      evidence: ["tensor 'a' has type id 36, I2_S in bitnet.cpp (mainline ggml removed IQ4_NL_4_4)"],
    });
    expect(parseGguf(bytes, "b.gguf").tensors[2].type).toBe(BitnetCppType.TL2);
  });

  test("a lone TL2 tensor under the shared name 'bitnet' is decided by its size: it fits TL2, not MXFP4", () => {
    const bytes = serializeGguf(bitnetCppSeedFile({ architecture: "bitnet", onlyTl2: true }));
    const file = parseGguf(bytes, "b.gguf");
    expect(file.tensors[0].type).toBe(BitnetCppType.TL2);
    const raw = [{ name: "blk.0.ffn_down.weight", typeId: 39, ne: [352, 32], slotBytes: 2720n }];
    expect(resolveDialect("b.gguf", "bitnet", raw, 32).evidence).toEqual([
      "tensor 'blk.0.ffn_down.weight' has type id 39 and its 2720-byte slot fits TL2 (2720 bytes), not MXFP4 (5984)",
    ]);
  });

  test("I8_S, bitnet.cpp's activation type, is refused in a file", () => {
    const bytes = patchInfo(serializeGguf(bitnetCppSeedFile()), "blk.0.ffn_up.weight", { type: 37 });
    expect(parseError(bytes).problem).toMatch(
      /^tensor 'blk\.0\.ffn_up\.weight' has bitnet\.cpp type I8_S \(id 37\), its activation type/,
    );
  });

  test("an I2_S tensor whose data is not n/4 + 32 bytes is refused by GgufFile", () => {
    const tensor = { name: "q", type: BitnetCppType.I2_S, ne: [128, 4], data: new Uint8Array(128) };
    expect(() => GgufFile.create("x.gguf", [], [tensor])).toThrow(
      "tensor 'q' has 128 bytes of data, but i2_s [128,4] takes 160",
    );
  });
});

describe("mainline files", () => {
  test("a file whose ids mean the same in both is ggml, with no evidence", () => {
    const file = GgufFile.create("m.gguf", [], [{ name: "w", type: GgmlType.F32, ne: [2], data: new Uint8Array(8) }]);
    expect(parseGguf(serializeGguf(file), "m.gguf").dialect).toEqual({ dialect: "ggml", evidence: [] });
  });

  test("a mainline MXFP4 tensor (id 39) is reported as mainline MXFP4, unsupported — never as TL2", () => {
    expect(parseError(mainlineMxfp4()).problem).toMatch(
      /^tensor 'w' has ggml type id 39 \(MXFP4 in mainline ggml\), which the oracle does not implement \(offset \d+\)$/,
    );
  });

  test("ids 40–42 are mainline's (bitnet.cpp has none): NVFP4, Q1_0, Q2_0", () => {
    const bytes = patchInfo(mainlineMxfp4(), "w", { ne: [128, 4], type: 41 });
    expect(parseError(bytes).problem).toMatch(
      /^tensor 'w' has ggml type id 41 \(Q1_0 in mainline ggml\), which the oracle/,
    );
  });
});

describe("undecided or contradicted", () => {
  test("id 39 whose slot fits both readings and nothing else decides: one line naming the tensor and both readings", () => {
    // alignment 1024: TL2 [256, 4] (288 bytes) and MXFP4 (544) both pad to the 1024-byte slot
    const problem = parseError(mainlineMxfp4("llama", 1024)).problem;
    expect(problem).toBe(
      "tensor 'w' has type id 39, TL2 in bitnet.cpp or MXFP4 in mainline ggml, and nothing in the file decides which: " +
        "its 1024-byte slot (alignment 1024) fits both (TL2 288, MXFP4 544 bytes); architecture 'llama'",
    );
  });

  test("the same file named bitnet-b1.58 is decided by the architecture: id 39 is TL2 (288 bytes, zero padding after)", () => {
    const file = parseGguf(mainlineMxfp4("bitnet-b1.58", 1024), "b.gguf");
    expect(file.dialect.dialect).toBe("bitnet.cpp");
    expect([file.tensors[0].type, file.tensors[0].byteSize]).toEqual([BitnetCppType.TL2, 288]);
  });

  test("evidence that disagrees about id 39 names the tensor, both readings and both pieces of evidence", () => {
    const problem = parseError(mainlineMxfp4("bitnet-b1.58")).problem;
    expect(problem).toBe(
      "tensor 'w' has type id 39, TL2 in bitnet.cpp or MXFP4 in mainline ggml, and the evidence disagrees: " +
        "general.architecture is 'bitnet-b1.58', which only bitnet.cpp writes (bitnet.cpp), but " +
        "tensor 'w' has type id 39 and its 544-byte slot fits MXFP4 (544 bytes), not TL2 (288) (ggml)",
    );
  });

  test("a bitnet.cpp TL2 tensor is never read as MXFP4, even when a mainline-only id is present", () => {
    const seed = serializeGguf(bitnetCppSeedFile({ architecture: "bitnet", onlyTl2: true }));
    const problem = parseError(patchInfo(seed, "blk.0.attn_norm.weight", { type: 41, ne: [128] })).problem;
    expect(problem).toMatch(
      /^tensor 'blk\.0\.ffn_down\.weight' has type id 39, TL2 in bitnet\.cpp or MXFP4 in mainline ggml, and the evidence disagrees/,
    );
  });

  test("ids of both dialects without an ambiguous one: 'the file mixes the two GGUF dialects'", () => {
    const seed = serializeGguf(bitnetCppSeedFile({ architecture: "llama" }));
    const problem = parseError(patchInfo(seed, "blk.0.attn_norm.weight", { type: 40, ne: [128] }), "mix.gguf");
    expect(problem.file).toBe("mix.gguf");
    expect(problem.problem).toMatch(
      /^tensor 'blk\.0\.ffn_down\.weight' has type id 39.*evidence disagrees: tensor 'blk\.0\.attn_q\.weight' has type id 36/,
    );
    const report = (): unknown =>
      resolveDialect(
        "mix.gguf",
        undefined,
        [
          { name: "a", typeId: 36, ne: [128] },
          { name: "b", typeId: 40, ne: [128] },
        ],
        32,
      );
    expect(report).toThrow(
      "mix.gguf: the file mixes the two GGUF dialects: tensor 'a' has type id 36, I2_S in bitnet.cpp (mainline ggml removed IQ4_NL_4_4) " +
        "(bitnet.cpp), but tensor 'b' has type id 40, NVFP4 in mainline ggml (bitnet.cpp has no type 40) (ggml)",
    );
  });
});

describe("fileDialect (a file in memory)", () => {
  test("names at most three bitnet.cpp tensors and counts the rest", () => {
    const tensors = Array.from({ length: 5 }, (_, i) => ({ name: `t${i}`, type: BitnetCppType.I2_S, ne: [128] }));
    expect(fileDialect(undefined, tensors).evidence).toEqual([
      "tensor 't0' is I2_S (type id 36; IQ4_NL_4_4 in mainline ggml)",
      "tensor 't1' is I2_S (type id 36; IQ4_NL_4_4 in mainline ggml)",
      "tensor 't2' is I2_S (type id 36; IQ4_NL_4_4 in mainline ggml)",
      "and 2 more bitnet.cpp tensors",
    ]);
    expect(fileDialect("bitnet", [{ name: "w", type: GgmlType.TQ2_0, ne: [256] }])).toEqual({
      dialect: "ggml",
      evidence: [],
    });
  });
});
