/**
 * A BitNet model's linear layers as per-tensor ternary weights (browser-safe): what every BitNet format holds — codes
 * t ∈ {−1, 0, +1} and one scale per tensor — taken out of a loaded model losslessly, or refused with the reason.
 * Implements spec/forward.md §17.8.
 *
 *   loaded:  y = f32(f32(Σ_c W[r,c]·x[c]) ∘ s)    W decoded from its ggml type, ∘ = · or / (LayerWeights.outputScales)
 *   here:    W = t exactly (every non-zero |W| is 1: block scale 1, as HF BitNet, I2_S and `.scale` files load)
 *   target:  y' = f32(f32(Σ_c t[r,c]·x[c]) ∘' s')  identical to y when ∘' = ∘ and s' = s, or when ∘' ≠ ∘ and
 *            s' = 1/s is exact in float32 (s a power of two): y/s = y·(1/s) exactly.
 *
 * A W whose non-zero magnitudes are not all 1 (a TQ tensor with block scale d ≠ 1, or blocks with different scales) is
 * refused: moving d into the per-tensor scale turns f32(Σ d·t·x) into f32(f32(Σ t·x)·d), another rounding.
 */

import type { HfBitnetScaleConvention } from "../../reference/codec/index.js";
import { ggmlTypeTraits } from "../../reference/codec/index.js";
import { decodeMatrixRow, type PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { LinearName, LinearOutputScale } from "../../reference/model/weights.js";
import type { LoadedModel } from "./gguf-model.js";

/** The linear layers in the order llama.cpp's GGUF files name them (attn_q … ffn_down). */
export const BITNET_LINEARS: readonly LinearName[] = ["wq", "wk", "wv", "wo", "wGate", "wUp", "wDown"];

/** One linear layer as ternary codes and a per-tensor scale. */
export interface TernaryLinear {
  /** W: [rows = out, cols = in]. */
  readonly rows: number;
  readonly cols: number;
  /** t: Int8Array[rows·cols], row-major, values −1, 0, +1. */
  readonly ternary: Int8Array;
  /** The output scale; undefined where the model has none (y = Σ t·x). */
  readonly scale: LinearOutputScale | undefined;
}

/** A linear layer's place for messages: "blk.0.attn_q" (llama.cpp's name). */
export type LinearLabel = (layer: number, linear: LinearName) => string;

/** What stops a conversion: one line naming the tensor, for the caller's InputError. */
export class BitnetConversionRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BitnetConversionRefusal";
  }
}

/** "TQ2_0" for messages. */
function typeName(matrix: PackedMatrix): string {
  return (ggmlTypeTraits(matrix.type)?.name ?? String(matrix.type)).toUpperCase();
}

/**
 * The ternary codes of `matrix`, or a refusal naming `label` when a non-zero weight's magnitude is not 1 (block
 * scales other than 1: one value d everywhere, or several). Spec §17.8.
 */
export function ternaryCodes(matrix: PackedMatrix, label: string): Int8Array {
  const { rows, cols } = matrix;
  const ternary = new Int8Array(rows * cols);
  const magnitudes = new Set<number>();
  for (let r = 0; r < rows; r++) {
    const row = decodeMatrixRow(matrix, r);
    for (let c = 0; c < cols; c++) {
      const w = row[c];
      if (w !== 0) magnitudes.add(Math.abs(w));
      ternary[r * cols + c] = w > 0 ? 1 : w < 0 ? -1 : 0;
    }
  }
  const others = [...magnitudes].filter((m) => m !== 1);
  if (others.length > 0) {
    const all = [...magnitudes].sort((a, b) => a - b);
    const shown = all.slice(0, 4).join(", ") + (all.length > 4 ? `, … (${all.length} in all)` : "");
    const why =
      all.length > 1
        ? `its blocks carry different scales (${shown}), and a per-tensor format holds one`
        : `its weights are ±${all[0]}, not ±1: moving that block scale into the per-tensor scale changes the float32 rounding`;
    throw new BitnetConversionRefusal(`tensor '${label}' (${typeName(matrix)}): ${why}`);
  }
  return ternary;
}

/** Is 1/s exact in float32 (s a power of two whose reciprocal is a normal float32)? */
export function hasExactReciprocal(s: number): boolean {
  const r = 1 / s;
  return Number.isFinite(r) && r !== 0 && Math.fround(r) === r && 1 / r === s && Math.abs(r) >= 2 ** -126;
}

/**
 * The value a target of convention `op` stores for `scale` (absent: 1, "multiply") so that the output is bit-identical,
 * or a refusal naming `label`: a change of convention needs an exact reciprocal. Spec §17.8.
 */
export function scaleValueFor(
  scale: LinearOutputScale | undefined,
  op: HfBitnetScaleConvention,
  label: string,
): number {
  const source = scale ?? { value: 1, op: "multiply" };
  if (source.op === op) return source.value;
  if (hasExactReciprocal(source.value)) return 1 / source.value;
  const [from, to] = source.op === "divide" ? ["divides by", "multiplier"] : ["multiplies by", "divisor"];
  throw new BitnetConversionRefusal(
    `tensor '${label}': its output ${from} ${source.value}, whose reciprocal is not exact in float32, ` +
      `so no ${to} gives the same outputs (keep the convention: --weight-scale ${source.op})`,
  );
}

/**
 * Every linear layer of `model` as ternary codes and a scale: layers[l][linear]. Refusals (BitnetConversionRefusal)
 * name the tensor by `label`. Spec §17.8.
 */
export function bitnetLinears(model: LoadedModel, label: LinearLabel): Record<LinearName, TernaryLinear>[] {
  return model.weights.layers.map((layer, l) => {
    const entries = BITNET_LINEARS.map((linear): [LinearName, TernaryLinear] => {
      const matrix = layer[linear];
      const ternary = ternaryCodes(matrix, label(l, linear));
      return [linear, { rows: matrix.rows, cols: matrix.cols, ternary, scale: layer.outputScales?.[linear] }];
    });
    return Object.fromEntries(entries) as Record<LinearName, TernaryLinear>;
  });
}
