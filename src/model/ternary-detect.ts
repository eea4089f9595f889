/**
 * Finding ternary matrices and their model-parallel shard scales (browser-safe).
 *
 * A released TriLM matrix holds {0, ±s_k}: one scale s_k per model-parallel shard of its training
 * run (at most 6). Column-parallel layers (q, k, v, gate, up) split their OUTPUT rows into
 * contiguous shards; row-parallel layers (o, down) split their INPUT columns. So a matrix is
 * ternary here when its values are 0 or ±s for at most MAX_SHARD_SCALES distinct magnitudes s, and
 * its layout is read off the data: every row holding one magnitude, the rows of each magnitude
 * contiguous → "rows"; the same for columns → "columns".
 *
 * TQ1_0/TQ2_0 take each 256-element block's scale from its absmax, so converting a ternary matrix
 * is lossless exactly when no block of a row holds two different non-zero magnitudes (a block
 * "straddling" two shard scales, as a row-parallel matrix does when a shard boundary is not a
 * multiple of 256); such a block keeps the larger scale and rounds the smaller values to 0 or ±1
 * of it. For a matrix already in TQ1_0/TQ2_0 the report lists its distinct block scales instead.
 */

import {
  GgmlType,
  QK_K,
  TQ1_0_BLOCK_BYTES,
  TQ1_0_SCALE_OFFSET,
  TQ2_0_BLOCK_BYTES,
  TQ2_0_SCALE_OFFSET,
  f16BitsToF32,
} from "../../reference/codec/index.js";
import { decodeMatrixRow, packedRow, type PackedMatrix } from "../../reference/model/packed-matrix.js";

/** The most distinct non-zero magnitudes a ternary matrix may hold: TriLM's largest model-parallel degree. */
export const MAX_SHARD_SCALES = 6;

/** Elements per TQ1_0/TQ2_0 block, the unit of the straddling test. */
export const TERNARY_BLOCK_SIZE = QK_K;

/** How a ternary matrix's scales are laid out. */
export type ShardLayout =
  /** All zeros: no scale. */
  | "none"
  /** One scale for the whole matrix. */
  | "single"
  /** Contiguous ranges of output rows, one scale each (column-parallel: q, k, v, gate, up). */
  | "rows"
  /** Contiguous ranges of input columns, one scale each (row-parallel: o, down). */
  | "columns"
  /** Several scales in no row or column pattern (not a model-parallel layout). */
  | "irregular";

/** One shard: the rows or columns [begin, end) whose non-zero values are ±scale. */
export interface ScaleShard {
  readonly scale: number;
  readonly axis: "rows" | "columns";
  readonly begin: number;
  readonly end: number;
}

/** What detectTernary found in one matrix. */
export interface TernaryReport {
  /** Values in {0, ±s_k} with at most MAX_SHARD_SCALES magnitudes (always true for TQ1_0/TQ2_0). */
  readonly ternary: boolean;
  /** "values": the scales are the distinct non-zero |w|; "block-scales": the distinct non-zero TQ block scales. */
  readonly scaleSource: "values" | "block-scales";
  /** The distinct scales, ascending (empty when not ternary; at most MAX_LISTED_SCALES of them). */
  readonly scales: readonly number[];
  /** How many distinct scales there are (scales may list fewer). */
  readonly distinctScales: number;
  /** The layout of the scales; undefined when not ternary, or for block scales beyond MAX_SHARD_SCALES. */
  readonly layout: ShardLayout | undefined;
  /** The shards of a "single", "rows" or "columns" layout, in order (a partition of the axis). */
  readonly shards: readonly ScaleShard[];
  /** Fraction of elements that are exactly zero. */
  readonly zeroFraction: number;
  /** 256-element blocks (rows · ⌈cols / 256⌉). */
  readonly blocks: number;
  /** Blocks holding two different non-zero magnitudes: TQ conversion loses them (0 for TQ matrices). */
  readonly straddlingBlocks: number;
}

/** Block scales listed at most (a TQ matrix of a non-ternary model has one per block). */
export const MAX_LISTED_SCALES = 64;

/** Label of a row, column or block: −1 none yet (all zero), −2 two magnitudes, k ≥ 0 magnitude k. */
const NONE = -1;
const MIXED = -2;

function merge(label: number, k: number): number {
  return label === NONE || label === k ? k : MIXED;
}

/** Per-element bookkeeping over the decoded rows. */
interface ValueScan {
  /** The distinct non-zero magnitudes in order of first appearance, or undefined past MAX_SHARD_SCALES / non-finite. */
  readonly magnitudes: number[] | undefined;
  readonly rowLabels: Int8Array;
  readonly colLabels: Int8Array;
  readonly zeros: number;
  readonly straddlingBlocks: number;
}

/** Walk every decoded row once: zeros, magnitudes, row/column/block labels. */
function scanValues(matrix: PackedMatrix): ValueScan {
  const { rows, cols } = matrix;
  const rowLabels = new Int8Array(rows).fill(NONE);
  const colLabels = new Int8Array(cols).fill(NONE);
  let magnitudes: number[] | undefined = [];
  let zeros = 0;
  let straddlingBlocks = 0;
  for (let r = 0; r < rows; r++) {
    const row = decodeMatrixRow(matrix, r);
    let rowLabel = NONE;
    for (let start = 0; start < cols; start += TERNARY_BLOCK_SIZE) {
      let blockLabel = NONE;
      const stop = Math.min(cols, start + TERNARY_BLOCK_SIZE);
      let last = -1;
      let lastIndex = -1;
      for (let c = start; c < stop; c++) {
        const v = row[c];
        if (v === 0) {
          zeros++;
          continue;
        }
        if (magnitudes === undefined) continue;
        const a = Math.abs(v);
        let k = a === last ? lastIndex : magnitudes.indexOf(a);
        if (k < 0) {
          if (!Number.isFinite(a) || magnitudes.length === MAX_SHARD_SCALES) {
            magnitudes = undefined;
            continue;
          }
          k = magnitudes.push(a) - 1;
        }
        last = a;
        lastIndex = k;
        blockLabel = merge(blockLabel, k);
        colLabels[c] = merge(colLabels[c], k);
      }
      if (blockLabel === MIXED) straddlingBlocks++;
      if (blockLabel !== NONE) rowLabel = merge(rowLabel, blockLabel);
    }
    rowLabels[r] = rowLabel;
  }
  return { magnitudes, rowLabels, colLabels, zeros, straddlingBlocks };
}

/**
 * The shards along one axis when every index holds one magnitude and each magnitude's indices are
 * contiguous, as a partition of [0, n) (all-zero indices join the shard before them, leading ones
 * the first shard); undefined otherwise.
 */
function contiguousShards(
  labels: Int8Array,
  scales: readonly number[],
  axis: ScaleShard["axis"],
): ScaleShard[] | undefined {
  const runs: { label: number; first: number }[] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === MIXED) return undefined;
    if (label === NONE || runs[runs.length - 1]?.label === label) continue;
    if (runs.some((run) => run.label === label)) return undefined;
    runs.push({ label, first: i });
  }
  return runs.map((run, i) => ({
    scale: scales[run.label],
    axis,
    begin: i === 0 ? 0 : run.first,
    end: i + 1 < runs.length ? runs[i + 1].first : labels.length,
  }));
}

/** Labels renumbered from first-appearance order to ascending-magnitude order. */
function relabel(labels: Int8Array, order: readonly number[]): Int8Array {
  const rank = new Int8Array(order.length);
  order.forEach((original, sorted) => (rank[original] = sorted));
  return labels.map((label) => (label >= 0 ? rank[label] : label));
}

/** Layout and shards of a scan with ≤ MAX_SHARD_SCALES magnitudes. */
function layoutOf(
  scan: ValueScan,
  magnitudes: readonly number[],
  rows: number,
): { layout: ShardLayout; shards: ScaleShard[]; scales: number[] } {
  const order = magnitudes.map((_, i) => i).sort((a, b) => magnitudes[a] - magnitudes[b]);
  const scales = order.map((i) => magnitudes[i]);
  if (scales.length === 0) return { layout: "none", shards: [], scales };
  if (scales.length === 1)
    return { layout: "single", shards: [{ scale: scales[0], axis: "rows", begin: 0, end: rows }], scales };
  const byRows = contiguousShards(relabel(scan.rowLabels, order), scales, "rows");
  if (byRows !== undefined) return { layout: "rows", shards: byRows, scales };
  const byColumns = contiguousShards(relabel(scan.colLabels, order), scales, "columns");
  if (byColumns !== undefined) return { layout: "columns", shards: byColumns, scales };
  return { layout: "irregular", shards: [], scales };
}

/** The distinct non-zero block scales of a TQ1_0/TQ2_0 matrix, ascending. */
function blockScales(matrix: PackedMatrix): number[] {
  const [blockBytes, scaleOffset] =
    matrix.type === GgmlType.TQ1_0 ? [TQ1_0_BLOCK_BYTES, TQ1_0_SCALE_OFFSET] : [TQ2_0_BLOCK_BYTES, TQ2_0_SCALE_OFFSET];
  const seen = new Set<number>();
  for (let r = 0; r < matrix.rows; r++) {
    const bytes = packedRow(matrix, r);
    for (let at = scaleOffset; at < bytes.length; at += blockBytes) {
      const d = Math.abs(f16BitsToF32(bytes[at] | (bytes[at + 1] << 8)));
      if (d !== 0) seen.add(d);
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * Whether `matrix` is ternary, with its scales, their shard layout, its fraction of zeros and the
 * 256-blocks that straddle two scales (see the module comment). Reads the matrix once, row by row.
 */
export function detectTernary(matrix: PackedMatrix): TernaryReport {
  const scan = scanValues(matrix);
  const elements = matrix.rows * matrix.cols;
  const zeroFraction = elements === 0 ? 0 : scan.zeros / elements;
  const blocks = matrix.rows * Math.ceil(matrix.cols / TERNARY_BLOCK_SIZE);
  const isTq = matrix.type === GgmlType.TQ1_0 || matrix.type === GgmlType.TQ2_0;
  const placed = scan.magnitudes === undefined ? undefined : layoutOf(scan, scan.magnitudes, matrix.rows);
  if (isTq) {
    const all = blockScales(matrix);
    return {
      ternary: true,
      scaleSource: "block-scales",
      scales: all.slice(0, MAX_LISTED_SCALES),
      distinctScales: all.length,
      layout: placed?.layout,
      shards: placed?.shards ?? [],
      zeroFraction,
      blocks,
      straddlingBlocks: 0,
    };
  }
  return {
    ternary: placed !== undefined,
    scaleSource: "values",
    scales: placed?.scales ?? [],
    distinctScales: placed?.scales.length ?? 0,
    layout: placed?.layout,
    shards: placed?.shards ?? [],
    zeroFraction,
    blocks,
    straddlingBlocks: placed === undefined ? 0 : scan.straddlingBlocks,
  };
}
