/**
 * What a decoder may meet that the reference encoder never writes. Implements spec/formats.md §10.
 *
 *   invalid        — decodes outside {−d, 0, +d}: TQ2_0 code 3 (ggml decodes it as +2d).
 *   non-canonical  — decodes to a valid ternary block, but encode(decode(block)) ≠ block:
 *                    TQ1_0 alias bytes, a qh byte whose ignored 5th trit is not 0, a negative
 *                    or −0 scale, a non-zero scale with no non-zero code.
 *   lossy          — the encoder does write it, but information is lost: an infinite scale
 *                    (amax ≥ 65520; zero codes then decode to 0·inf = NaN), a NaN scale, an fp16
 *                    subnormal scale, and a zero scale with non-zero codes (2^-128 < amax ≤ 2^-25:
 *                    fp16(amax) rounds to 0 while 1/amax is finite, so the codes survive but decode to ±0).
 */

import { f16BitsToF32, isF16Subnormal } from "./float16.js";
import { QK_K } from "./ggml-type.js";
import {
  TQ1_0_BLOCK_BYTES,
  TQ1_0_QH_OFFSET,
  TQ1_0_SCALE_OFFSET,
  TQ1_0_TRIT_BYTES,
  packTritsToByte,
  tritOfByte,
  unpackTq1Block,
} from "./tq1_0.js";
import { TQ2_0_BLOCK_BYTES, TQ2_0_SCALE_OFFSET, tq2ElementPosition, unpackTq2Block } from "./tq2_0.js";

/** How serious a finding is (spec/formats.md §10). */
export type FindingSeverity = "invalid" | "non-canonical" | "lossy";

/** The kinds of finding. */
export type FindingKind =
  | "tq2-code-3"
  | "tq1-alias-byte"
  | "tq1-qh-fifth-trit"
  | "scale-negative"
  | "scale-zero-with-codes"
  | "scale-without-codes"
  | "scale-infinite"
  | "scale-nan"
  | "scale-subnormal";

/** One thing `validate` found in a row of packed blocks. */
export interface BlockFinding {
  readonly kind: FindingKind;
  readonly severity: FindingSeverity;
  /** Block index within the row. */
  readonly block: number;
  /** Byte offset within the row. */
  readonly byte: number;
  /** Element index within the block, where the finding is about one element. */
  readonly element?: number;
  /** One line for a person. */
  readonly message: string;
}

/** Byte values ceil(v·256/243) for v = 0..242: the only bytes the TQ1_0 encoder writes in qs. */
const CANONICAL_QS_BYTES: ReadonlySet<number> = new Set(
  Array.from({ length: 243 }, (_, v) => packTritsToByte(tritsOf(v))),
);
/** The bytes the encoder writes in qh: those whose 5th trit is 0 (v a multiple of 3). */
const CANONICAL_QH_BYTES: ReadonlySet<number> = new Set(
  Array.from({ length: 81 }, (_, u) => packTritsToByte(tritsOf(3 * u))),
);

/** Base-3 digits of v (0..242), most significant first. */
function tritsOf(v: number): number[] {
  return [81, 27, 9, 3, 1].map((p) => Math.floor(v / p) % 3);
}

/** Is `byte` (0..255) one of the 243 values the TQ1_0 encoder writes into qs? Spec §5.6. */
export function isCanonicalTq1Byte(byte: number): boolean {
  return CANONICAL_QS_BYTES.has(byte);
}

/** Findings about a block's fp16 scale given whether any code is non-zero. Spec §10. */
function scaleFindings(scaleBits: number, hasNonZeroCode: boolean, block: number, byte: number): BlockFinding[] {
  const d = f16BitsToF32(scaleBits);
  const at = { block, byte };
  const hex = `0x${scaleBits.toString(16).padStart(4, "0")}`;
  if (Number.isNaN(d))
    return [
      { ...at, kind: "scale-nan", severity: "lossy", message: `scale ${hex} is NaN: every weight decodes to NaN` },
    ];
  const findings: BlockFinding[] = [];
  if (scaleBits & 0x8000) {
    findings.push({
      ...at,
      kind: "scale-negative",
      severity: "non-canonical",
      message: `scale ${hex} is negative (the encoder writes |x|max ≥ +0)`,
    });
  }
  if (!Number.isFinite(d)) {
    findings.push({
      ...at,
      kind: "scale-infinite",
      severity: "lossy",
      message: `scale ${hex} is infinite (block absmax ≥ 65520 rounds to fp16 inf): zero codes decode to NaN`,
    });
  } else if (d === 0 && hasNonZeroCode) {
    findings.push({
      ...at,
      kind: "scale-zero-with-codes",
      severity: "lossy",
      message:
        "scale is zero but some codes are non-zero (the encoder writes this when 2^-128 < block absmax ≤ 2^-25): every weight decodes to ±0",
    });
  } else if (d !== 0 && !hasNonZeroCode) {
    findings.push({
      ...at,
      kind: "scale-without-codes",
      severity: "non-canonical",
      message: `scale ${hex} is non-zero but every code is zero`,
    });
  }
  if (isF16Subnormal(scaleBits)) {
    findings.push({
      ...at,
      kind: "scale-subnormal",
      severity: "lossy",
      message: `scale ${hex} is an fp16 subnormal (block absmax < 2^-14 loses precision)`,
    });
  }
  return findings;
}

/** Validate a row of TQ2_0 blocks: Uint8Array[nb · 66]. Implements spec/formats.md §4.5 and §10. */
export function validateTq2_0Row(bytes: Uint8Array): BlockFinding[] {
  const findings: BlockFinding[] = [];
  for (let b = 0; b * TQ2_0_BLOCK_BYTES < bytes.length; b++) {
    const base = b * TQ2_0_BLOCK_BYTES;
    const { codes, scaleBits } = unpackTq2Block(bytes.subarray(base, base + TQ2_0_BLOCK_BYTES));
    for (let e = 0; e < QK_K; e++) {
      if (codes[e] !== 3) continue;
      const { byte, shift } = tq2ElementPosition(e);
      findings.push({
        kind: "tq2-code-3",
        severity: "invalid",
        block: b,
        byte: base + byte,
        element: e,
        message: `element ${e}: code 3 at byte ${byte} bits ${shift}..${shift + 1} (ggml decodes it as +2d)`,
      });
    }
    findings.push(
      ...scaleFindings(
        scaleBits,
        codes.some((c) => c !== 1),
        b,
        base + TQ2_0_SCALE_OFFSET,
      ),
    );
  }
  return findings;
}

/** Validate a row of TQ1_0 blocks: Uint8Array[nb · 54]. Implements spec/formats.md §5.6 and §10. */
export function validateTq1_0Row(bytes: Uint8Array): BlockFinding[] {
  const findings: BlockFinding[] = [];
  for (let b = 0; b * TQ1_0_BLOCK_BYTES < bytes.length; b++) {
    const base = b * TQ1_0_BLOCK_BYTES;
    const block = bytes.subarray(base, base + TQ1_0_BLOCK_BYTES);
    for (let i = 0; i < TQ1_0_TRIT_BYTES; i++) {
      const value = block[i];
      const at = { block: b, byte: base + i };
      if (!CANONICAL_QS_BYTES.has(value)) {
        findings.push({
          ...at,
          kind: "tq1-alias-byte",
          severity: "non-canonical",
          message: `byte ${i} = ${value} is an alias the encoder never writes`,
        });
      } else if (i >= TQ1_0_QH_OFFSET && !CANONICAL_QH_BYTES.has(value)) {
        findings.push({
          ...at,
          kind: "tq1-qh-fifth-trit",
          severity: "non-canonical",
          message: `qh byte ${i} = ${value} has 5th trit ${tritOfByte(value, 4)} (decoders ignore it; the encoder writes 0)`,
        });
      }
    }
    const { codes, scaleBits } = unpackTq1Block(block);
    findings.push(
      ...scaleFindings(
        scaleBits,
        codes.some((c) => c !== 1),
        b,
        base + TQ1_0_SCALE_OFFSET,
      ),
    );
  }
  return findings;
}
