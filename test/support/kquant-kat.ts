/**
 * The ggml-produced known-answer cases for Q4_0, Q8_0, Q4_K, Q5_K and Q6_K
 * (golden/external/ggml-kquants/kquant-kat.jsonl; provenance in golden/external/ggml-kquants/PROVENANCE.md).
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { bytesToF32, bytesToHex, hexToBytes } from "./hex.js";

/** One case as ggml wrote it (hex of little-endian bytes). */
export interface KQuantKatCase {
  readonly id: string;
  readonly type: "q4_0" | "q8_0" | "q4_K" | "q5_K" | "q6_K";
  readonly category: string;
  readonly n: number;
  /** float32 input row. */
  readonly x_f32: string;
  /** quantize_row_<type>_ref(x). */
  readonly quant: string;
  /** dequantize_row_<type>(quant). */
  readonly dequant_f32: string;
  /** float32 activation row. */
  readonly act_f32: string;
  /** "q8_0" or "q8_K": the vec_dot_type. */
  readonly act_type: string;
  /** The CPU backend's from_float of act (x86 quantize_row_q8_0 / quantize_row_q8_K). */
  readonly act_quant: string;
  /** ggml_vec_dot_<type>_<act> as the AVX-512 (-march=native) build computes it. */
  readonly dot_x86_f32: string;
  /** ggml_vec_dot_<type>_<act>_generic built with -march=x86-64 -ffp-contract=off. */
  readonly dot_generic_f32: string;
}

const KAT_PATH = new URL("../../golden/external/ggml-kquants/kquant-kat.jsonl", import.meta.url);

/** All cases, in file order. */
export const kquantKatCases: readonly KQuantKatCase[] = readFileSync(KAT_PATH, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as KQuantKatCase);

/** The cases of one type. */
export function katCasesOf(type: KQuantKatCase["type"]): readonly KQuantKatCase[] {
  return kquantKatCases.filter((c) => c.type === type);
}

/** float32 row from hex. */
export function katF32(hex: string): Float32Array {
  return bytesToF32(hexToBytes(hex));
}

/** The float32 of 8 hex digits. */
export function katScalar(hex: string): number {
  return katF32(hex)[0];
}

/** The float32 bits of v as 8 hex digits, with every NaN written as "nan" (payloads are not compared). */
export function f32Key(v: number): string {
  if (Number.isNaN(v)) return "nan";
  const bytes = new Uint8Array(new Float32Array([v]).buffer);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Row of float32 keys (see f32Key): compares two rows bit for bit, NaN equal to NaN. */
export function f32Keys(x: Float32Array): string[] {
  return Array.from(x, f32Key);
}

/** The codec of one KAT type under test: its row quantizer and dequantizer. */
export interface KatCodec {
  quantize(x: Float32Array): Uint8Array;
  dequantize(bytes: Uint8Array): Float32Array;
}

/**
 * Register the KAT tests of one type: quantize_row_<type>_ref bytes and dequantize_row_<type> floats, each case
 * bit for bit (NaN equal to NaN).
 */
export function katCodecTests(type: KQuantKatCase["type"], codec: KatCodec): void {
  const rows = katCasesOf(type).map((c) => [c.id, c.category, c] as const);
  test("the KAT has 19 cases for this type, edge categories included", () => {
    const categories = rows.map(([, category]) => category);
    expect(categories.length).toBe(19);
    for (const edge of ["all_zero", "one_outlier", "subnormal", "huge", "ties", "negative_only", "constant"]) {
      expect(categories).toContain(edge);
    }
  });
  test.each(rows)("%s (%s): quantize_row_ref bytes equal ggml's", (_id, _cat, c) => {
    expect(bytesToHex(codec.quantize(katF32(c.x_f32)))).toBe(c.quant);
  });
  test.each(rows)("%s (%s): dequantize_row floats equal ggml's bit for bit", (_id, _cat, c) => {
    expect(f32Keys(codec.dequantize(hexToBytes(c.quant)))).toEqual(f32Keys(katF32(c.dequant_f32)));
  });
}
