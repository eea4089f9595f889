/**
 * `trilm inspect <file.gguf> [--json]`: a GGUF file's header, metadata and tensor table.
 */

import type { Command } from "commander";
import { ggmlTypeTraits } from "../../../reference/codec/index.js";
import { readGgufFile } from "../../gguf/file.js";
import { describeValueType, type GgufFile } from "../../gguf/index.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { valueJson, valueText, type JsonValue } from "../gguf-value-format.js";
import { formatTable } from "../text-table.js";

const EXAMPLES = `
Examples:
  $ trilm inspect model.gguf
  $ trilm inspect model.gguf --json > model.json`;

/** The options commander collects for `inspect`. */
interface InspectOptions {
  readonly json?: boolean;
}

function typeName(type: number): string {
  return ggmlTypeTraits(type)?.name ?? `type ${type}`;
}

/** The file as one JSON document: layout, every metadata value in full, the tensor table. */
function inspectJson(file: GgufFile): JsonValue {
  return {
    file: file.name,
    version: file.version,
    alignment: file.alignment,
    dataOffset: file.dataOffset,
    byteLength: file.byteLength,
    metadata: file.metadata.map(({ key, value }) => ({ key, type: describeValueType(value), value: valueJson(value) })),
    tensors: file.tensors.map((t) => ({ name: t.name, type: typeName(t.type), ne: [...t.ne], bytes: t.byteSize, offset: t.offset })),
  };
}

/** The file as text: a summary line, the metadata table, the tensor table. */
function inspectText(file: GgufFile): string[] {
  const metadataRows = file.metadata.map(({ key, value }) => [key, describeValueType(value), valueText(value)]);
  const tensorRows = file.tensors.map((t) => [t.name, typeName(t.type), `[${t.ne.join(", ")}]`, String(t.byteSize), String(t.offset)]);
  return [
    `${file.name}: GGUF v${file.version}, ${file.byteLength} bytes, alignment ${file.alignment}, ` +
      `${file.metadata.length} metadata keys, ${file.tensors.length} tensors, data section at byte ${file.dataOffset}`,
    "",
    "metadata:",
    ...formatTable(["key", "type", "value"], metadataRows).map((line) => `  ${line}`),
    "",
    "tensors (shape: ne, innermost first; offset: from the start of the data section):",
    ...formatTable(["name", "type", "shape", "bytes", "offset"], tensorRows, ["left", "left", "left", "right", "right"]).map((line) => `  ${line}`),
  ];
}

function inspect(path: string, options: InspectOptions, io: CliIo): void {
  const file = readGgufFile(path);
  if (options.json === true) writeLine(io.stdout, JSON.stringify(inspectJson(file), null, 2));
  else for (const line of inspectText(file)) writeLine(io.stdout, line);
}

/** Add the `inspect` command to `program`. */
export function registerInspect(program: Command, io: CliIo): void {
  program
    .command("inspect")
    .summary("show a GGUF file's metadata and tensors")
    .description(
      "Read a GGUF v3 file strictly and show its layout, its metadata (long arrays and strings shortened to " +
        "their first items and their length) and a table of its tensors.",
    )
    .argument("<file>", "GGUF v3 file")
    .option("--json", "print one JSON document instead, with every value in full (64-bit integers as strings)")
    .addHelpText("after", EXAMPLES)
    .action((file: string, options: InspectOptions) => inspect(file, options, io));
}
