/**
 * `trilm inspect <file.gguf | hf-folder> [--json] [--no-ternary]`: a GGUF file's header, metadata
 * and tensor table, or a Hugging Face checkpoint's config, files and tensors; then, for both, the
 * ternary matrices: which 2-D tensors hold {0, ±s_k}, their shard scales and layout, their zeros,
 * and the 256-blocks whose TQ conversion would be lossy.
 */

import { statSync } from "node:fs";
import type { Command } from "commander";
import type { PackedMatrix } from "../../../reference/model/packed-matrix.js";
import { readGgufFile } from "../../gguf/file.js";
import { describeValueType, isGgmlType, tensorTypeName, type GgufFile } from "../../gguf/index.js";
import { ggmlDimensionCount } from "../../gguf/quantize-policy.js";
import { readHfCheckpoint } from "../../model/hf-folder.js";
import { packedMatrixOf, type HfCheckpoint } from "../../model/hf-model.js";
import { detectTernary, type TernaryReport } from "../../model/ternary-detect.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { valueJson, valueText, type JsonValue } from "../gguf-value-format.js";
import { formatTable } from "../../text/text-table.js";

const EXAMPLES = `
Examples:
  $ trilm inspect model.gguf
  $ trilm inspect model.gguf --json > model.json
  $ trilm inspect TriLM_99M_Unpacked/          a Hugging Face folder: config, tensors, shard scales`;

/** The options commander collects for `inspect`. */
interface InspectOptions {
  readonly json?: boolean;
  /** false with --no-ternary. */
  readonly ternary?: boolean;
}

/** A matrix to report on: its name, its shape as the file stores it, its type name, its values. */
interface NamedMatrix {
  readonly name: string;
  readonly shape: readonly number[];
  readonly type: string;
  readonly matrix: PackedMatrix;
}

/** A type's name: ggml's, or bitnet.cpp's own (i2_s, tl1, tl2) in a bitnet.cpp-dialect file. */
function typeName(type: number): string {
  return tensorTypeName(type);
}

/** A scale in 6 significant digits. */
function scaleText(scale: number): string {
  return String(Number(scale.toPrecision(6)));
}

// ---------------------------------------------------------------------------------------------
// The ternary section, for both kinds of input.

/** The matrices of a GGUF file: its 2-D tensors (ne [cols, rows]) of ggml types (the codec decodes them). */
function ggufMatrices(file: GgufFile): NamedMatrix[] {
  return file.tensors
    .filter((t) => ggmlDimensionCount(t.ne) === 2)
    .flatMap((t) => (isGgmlType(t.type) ? [{ ...t, type: t.type }] : []))
    .map((t) => ({
      name: t.name,
      shape: [...t.ne],
      type: typeName(t.type),
      matrix: { type: t.type, rows: t.ne[1], cols: t.ne[0], data: t.data },
    }));
}

/** The matrices of a checkpoint: its 2-D tensors ([out, in]), in name order. */
function hfMatrices(checkpoint: HfCheckpoint): NamedMatrix[] {
  return [...checkpoint.tensors.values()]
    .filter(({ tensor }) => tensor.shape.length === 2 && tensor.dtype !== "U8") // BitNet's packed weights: not floats
    .sort((a, b) => (a.tensor.name < b.tensor.name ? -1 : 1))
    .map(({ tensor }) => ({
      name: tensor.name,
      shape: tensor.shape,
      type: tensor.dtype,
      matrix: packedMatrixOf(tensor),
    }));
}

interface ReportedMatrix extends NamedMatrix {
  readonly report: TernaryReport;
}

function reportAll(matrices: readonly NamedMatrix[]): ReportedMatrix[] {
  return matrices.map((m) => ({ ...m, report: detectTernary(m.matrix) }));
}

/** The scales cell: the values, or a count when there are many block scales. */
function scalesCell(report: TernaryReport): string {
  if (!report.ternary) return "-";
  if (report.distinctScales > 6) return `${report.distinctScales} block scales`;
  return report.scales.map(scaleText).join(", ") || "-";
}

/** The shards cell: "rows [0, 256) [256, 512)", "single", "irregular", … */
function shardsCell(report: TernaryReport): string {
  switch (report.layout) {
    case undefined:
      return "-";
    case "none":
      return "all zero";
    case "rows":
    case "columns":
      return `${report.layout} ${report.shards.map((s) => `[${s.begin}, ${s.end})`).join(" ")}`;
    default:
      return report.layout;
  }
}

function straddlingCell(report: TernaryReport): string {
  if (!report.ternary || report.scaleSource === "block-scales") return "-";
  return `${report.straddlingBlocks}/${report.blocks}`;
}

/** The "ternary matrices" section as text lines. */
function ternaryText(matrices: readonly ReportedMatrix[], shapeNote: string): string[] {
  const rows = matrices.map(({ name, shape, type, report }) => [
    name,
    `[${shape.join(", ")}]`,
    type,
    report.ternary ? "yes" : "no",
    scalesCell(report),
    shardsCell(report),
    `${(100 * report.zeroFraction).toFixed(1)}%`,
    straddlingCell(report),
  ]);
  const ternaryCount = matrices.filter((m) => m.report.ternary).length;
  const lossy = matrices.filter((m) => m.report.straddlingBlocks > 0).length;
  return [
    `ternary matrices (${ternaryCount} of ${matrices.length} 2-D tensors; shape ${shapeNote}; scales: distinct |w| ≠ 0, or TQ block scales; ` +
      `straddling: 256-blocks holding two scales, which TQ conversion loses; ${lossy} lossy):`,
    ...formatTable(["name", "shape", "type", "ternary", "scales", "shards", "zeros", "straddling"], rows, [
      "left",
      "left",
      "left",
      "left",
      "left",
      "left",
      "right",
      "right",
    ]).map((l) => `  ${l}`),
  ];
}

/** The "ternary matrices" section as JSON. */
function ternaryJson(matrices: readonly ReportedMatrix[]): JsonValue {
  return matrices.map(({ name, shape, type, report }) => ({
    name,
    shape: [...shape],
    type,
    ternary: report.ternary,
    scaleSource: report.scaleSource,
    scales: [...report.scales],
    distinctScales: report.distinctScales,
    layout: report.layout ?? null,
    shards: report.shards.map((s) => ({ scale: s.scale, axis: s.axis, begin: s.begin, end: s.end })),
    zeroFraction: report.zeroFraction,
    blocks: report.blocks,
    straddlingBlocks: report.straddlingBlocks,
  }));
}

// ---------------------------------------------------------------------------------------------
// GGUF files.

/** The file as one JSON document: layout, every metadata value in full, the tensor table. */
function inspectJson(file: GgufFile, ternary: readonly ReportedMatrix[] | undefined): JsonValue {
  return {
    file: file.name,
    version: file.version,
    alignment: file.alignment,
    dataOffset: file.dataOffset,
    byteLength: file.byteLength,
    dialect: file.dialect.dialect,
    dialectEvidence: [...file.dialect.evidence],
    metadata: file.metadata.map(({ key, value }) => ({ key, type: describeValueType(value), value: valueJson(value) })),
    tensors: file.tensors.map((t) => ({
      name: t.name,
      type: typeName(t.type),
      ne: [...t.ne],
      bytes: t.byteSize,
      offset: t.offset,
    })),
    ...(ternary === undefined ? {} : { ternaryMatrices: ternaryJson(ternary) }),
  };
}

/** "type ids: bitnet.cpp dialect (…evidence)" or "type ids: ggml dialect". Spec: spec/bitnet.md §1. */
function dialectLine(file: GgufFile): string {
  const { dialect, evidence } = file.dialect;
  return `type ids: ${dialect} dialect${evidence.length > 0 ? ` (${evidence.join("; ")})` : ""}`;
}

/** The file as text: a summary line, the metadata table, the tensor table. */
function inspectText(file: GgufFile): string[] {
  const metadataRows = file.metadata.map(({ key, value }) => [key, describeValueType(value), valueText(value)]);
  const tensorRows = file.tensors.map((t) => [
    t.name,
    typeName(t.type),
    `[${t.ne.join(", ")}]`,
    String(t.byteSize),
    String(t.offset),
  ]);
  return [
    `${file.name}: GGUF v${file.version}, ${file.byteLength} bytes, alignment ${file.alignment}, ` +
      `${file.metadata.length} metadata keys, ${file.tensors.length} tensors, data section at byte ${file.dataOffset}`,
    dialectLine(file),
    "",
    "metadata:",
    ...formatTable(["key", "type", "value"], metadataRows).map((line) => `  ${line}`),
    "",
    "tensors (shape: ne, innermost first; offset: from the start of the data section):",
    ...formatTable(["name", "type", "shape", "bytes", "offset"], tensorRows, [
      "left",
      "left",
      "left",
      "right",
      "right",
    ]).map((line) => `  ${line}`),
  ];
}

function inspectGguf(path: string, options: InspectOptions, io: CliIo): void {
  const file = readGgufFile(path);
  const ternary = options.ternary === false ? undefined : reportAll(ggufMatrices(file));
  if (options.json === true) {
    writeLine(io.stdout, JSON.stringify(inspectJson(file, ternary), null, 2));
    return;
  }
  const lines = inspectText(file);
  if (ternary !== undefined) lines.push("", ...ternaryText(ternary, "ne, innermost first"));
  for (const line of lines) writeLine(io.stdout, line);
}

// ---------------------------------------------------------------------------------------------
// Hugging Face folders.

/** A config.json value on one line, shortened. */
function configValueText(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}… (${text.length} characters)` : text;
}

function hfJson(checkpoint: HfCheckpoint, ternary: readonly ReportedMatrix[] | undefined): JsonValue {
  return {
    folder: checkpoint.name,
    format: "huggingface",
    config: (checkpoint.config ?? null) as JsonValue,
    files: checkpoint.files.map((f) => ({
      file: f.name,
      headerLength: f.headerLength,
      tensors: f.tensors.size,
      metadata: Object.fromEntries(f.metadata),
    })),
    tensors: [...checkpoint.tensors.values()].map(({ file, tensor }) => ({
      name: tensor.name,
      dtype: tensor.dtype,
      shape: [...tensor.shape],
      bytes: tensor.data.length,
      file,
      dataOffsets: [...tensor.dataOffsets],
    })),
    ...(ternary === undefined ? {} : { ternaryMatrices: ternaryJson(ternary) }),
  };
}

function hfText(checkpoint: HfCheckpoint): string[] {
  const config = checkpoint.config;
  const configRows =
    typeof config === "object" && config !== null && !Array.isArray(config)
      ? Object.entries(config).map(([key, value]) => [key, configValueText(value)])
      : [["(config)", configValueText(config)]];
  const bytes = checkpoint.files.reduce(
    (n, f) => n + [...f.tensors.values()].reduce((m, t) => m + t.data.length, 0),
    0,
  );
  const tensorRows = [...checkpoint.tensors.values()].map(({ file, tensor }) => [
    tensor.name,
    tensor.dtype,
    `[${tensor.shape.join(", ")}]`,
    String(tensor.data.length),
    file,
  ]);
  return [
    `${checkpoint.name}: Hugging Face checkpoint, ${checkpoint.files.length} safetensors file${checkpoint.files.length === 1 ? "" : "s"}, ` +
      `${checkpoint.tensors.size} tensors, ${bytes} bytes of tensor data`,
    "",
    `config (${checkpoint.configFile}):`,
    ...formatTable(["key", "value"], configRows).map((line) => `  ${line}`),
    "",
    "tensors (shape: [out, in], outermost first):",
    ...formatTable(["name", "dtype", "shape", "bytes", "file"], tensorRows, [
      "left",
      "left",
      "left",
      "right",
      "left",
    ]).map((line) => `  ${line}`),
  ];
}

function inspectHf(path: string, options: InspectOptions, io: CliIo): void {
  const checkpoint = readHfCheckpoint(path);
  const ternary = options.ternary === false ? undefined : reportAll(hfMatrices(checkpoint));
  if (options.json === true) {
    writeLine(io.stdout, JSON.stringify(hfJson(checkpoint, ternary), null, 2));
    return;
  }
  const lines = hfText(checkpoint);
  if (ternary !== undefined) lines.push("", ...ternaryText(ternary, "[out, in]"));
  for (const line of lines) writeLine(io.stdout, line);
}

/** Is `path` an existing directory (anything else, including a missing path, is read as a GGUF file)? */
function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function inspect(path: string, options: InspectOptions, io: CliIo): void {
  if (isFolder(path)) inspectHf(path, options, io);
  else inspectGguf(path, options, io);
}

/** Add the `inspect` command to `program`. */
export function registerInspect(program: Command, io: CliIo): void {
  program
    .command("inspect")
    .summary("show a GGUF file's or a Hugging Face checkpoint's tensors, and its ternary matrices")
    .description(
      "Read a GGUF v3 file strictly and show its layout, its metadata (long arrays and strings shortened to " +
        "their first items and their length) and a table of its tensors. Given a folder, read it as a Hugging " +
        "Face checkpoint (config.json and model.safetensors, or model.safetensors.index.json and its shards, " +
        "each parsed strictly) and show its config and tensors. Then, for both, list the 2-D tensors with " +
        "whether they are ternary ({0, ±s_k}, at most 6 shard scales s_k), the scales (for tq1_0/tq2_0: the " +
        "distinct block scales), which rows or columns each scale covers, the fraction of zeros, and how many " +
        "256-element blocks hold two scales (their TQ conversion is lossy).",
    )
    .argument("<file>", "GGUF v3 file, or a Hugging Face checkpoint folder")
    .option("--json", "print one JSON document instead, with every value in full (64-bit integers as strings)")
    .option("--no-ternary", "leave out the ternary matrices section (it reads every matrix)")
    .addHelpText("after", EXAMPLES)
    .action((file: string, options: InspectOptions) => inspect(file, options, io));
}
