import { describe, expect, it } from "vitest";
import { packTrirun } from "../../../reference/codec/trirun.js";
import { serializeNpy } from "../../../src/io/npy.js";
import {
  parseTrirunNpy,
  parseTrirunWeight,
  serializeTrirunNpy,
  serializeTrirunWeight,
  trirunSafetensorsTensors,
} from "../../../src/model/trirun-files.js";
import { serializeSafetensors } from "../../../src/safetensors/index.js";

/** A packed weight with codes (k + n) mod 3 and scale bits 0x3c00 + row. */
function packed(k: number, n: number, groupSize: -1 | 128) {
  const rows = groupSize === -1 ? 1 : k / 128;
  const codes = Uint8Array.from({ length: k * n }, (_, i) => i % 3);
  const scales = Uint16Array.from({ length: rows * n }, (_, i) => 0x3c00 + (i % 7));
  return packTrirun({ k, n, groupSize, codes, scales });
}

describe("TriRun weight files", () => {
  it("round-trips B (I32 [k/16, n]) and s (F16 [groups, n]) with the metadata", () => {
    for (const groupSize of [-1, 128] as const) {
      const weight = packed(256, 256, groupSize);
      expect(parseTrirunWeight(serializeTrirunWeight(weight), "w.safetensors")).toEqual(weight);
    }
  });

  it("without metadata, reads the group size from the shape of s; refuses k = 128 with one row as ambiguous", () => {
    const weight = packed(256, 256, -1);
    expect(parseTrirunWeight(serializeSafetensors(trirunSafetensorsTensors("", weight)), "w").groupSize).toBe(-1);
    const grouped = packed(256, 256, 128);
    expect(parseTrirunWeight(serializeSafetensors(trirunSafetensorsTensors("", grouped)), "w").groupSize).toBe(128);
    const small = serializeSafetensors(trirunSafetensorsTensors("", packed(128, 256, -1)));
    expect(() => parseTrirunWeight(small, "w")).toThrow(
      "w: k = 128 with one scale row is per column or groups of 128: __metadata__ must give groupsize",
    );
  });

  it("refuses a missing tensor and a wrong dtype", () => {
    const [B, s] = trirunSafetensorsTensors("", packed(256, 256, -1));
    expect(() => parseTrirunWeight(serializeSafetensors([B]), "w")).toThrow(
      "w: a TriRun weight needs tensors 'B' (I32) and 's' (F16); missing 's'",
    );
    const f32B = { ...B, dtype: "F32" as const };
    expect(() => parseTrirunWeight(serializeSafetensors([f32B, s]), "w")).toThrow(
      "w: tensor 'B' is F32 [16, 256], expected I32 [k/16, n]",
    );
  });

  const PATHS = { B: "d/B.npy", s: "d/s.npy", description: "d/trirun.json" };

  it("round-trips the .npy folder form: B.npy '<i4' (k/16, n), s.npy '<f2' (groups, n), trirun.json", () => {
    for (const groupSize of [-1, 128] as const) {
      const weight = packed(128, 256, groupSize);
      const files = serializeTrirunNpy(weight);
      expect(new TextDecoder().decode(files.description)).toBe(`{"k":128,"n":256,"groupsize":${groupSize}}\n`);
      expect(parseTrirunNpy(files, PATHS)).toEqual(weight);
    }
  });

  it("refuses a .npy folder whose trirun.json or arrays do not fit, naming the file", () => {
    const files = serializeTrirunNpy(packed(256, 256, 128));
    const json = (text: string) => ({ ...files, description: new TextEncoder().encode(text) });
    expect(() => parseTrirunNpy(json("{"), PATHS)).toThrow(/^d\/trirun\.json: is not valid JSON/);
    expect(() => parseTrirunNpy(json('{"k":256,"n":256,"groupsize":64}'), PATHS)).toThrow(
      'd/trirun.json: groupsize "64" must be -1 or 128',
    );
    expect(() => parseTrirunNpy(json('{"k":256,"n":128,"groupsize":128}'), PATHS)).toThrow(
      "d/trirun.json: TriRun shape 256×128: n = 128 must be a positive multiple of 256",
    );
    expect(() => parseTrirunNpy(json('{"k":256,"n":256,"groupsize":-1}'), PATHS)).toThrow(
      "d/s.npy: holds '<f2' (2, 256); k=256, n=256, group size -1 take '<f2' (1, 256)",
    );
    const f32s = serializeNpy({ dtype: "<f4", shape: [2, 256], data: new Float32Array(512) });
    expect(() => parseTrirunNpy({ ...files, s: f32s }, PATHS)).toThrow(
      "d/s.npy: holds '<f4' (2, 256); k=256, n=256, group size 128 take '<f2' (2, 256)",
    );
  });
});
