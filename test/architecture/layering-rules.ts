/**
 * The layering of the repository (ARCHITECTURE.md), as rules over the import graph of
 * import-graph.ts: reference/ ← accelerated/ ← src/, src/cli and src/web private to themselves,
 * test/ imported by nobody, examples/ using the package as outside code does, and no import cycle
 * between files, between layers or between the folders of src/. Each problem is one edge,
 * printed `from → to (rule)`: an import of a file, or for a cycle between layers or src/ folders,
 * the imports from one layer or folder to another, with the files that make them.
 */

import { cyclicComponents, type ImportEdge, type ImportTarget } from "./import-graph.js";

/** Folders whose source files make up the graph. */
export const SCANNED_FOLDERS = ["reference", "accelerated", "src", "examples", "test"] as const;

/** One forbidden import: an edge and the rule it breaks. */
export interface LayeringViolation {
  /** The importing file (or layer, or src/ folder, for a cycle between them). */
  readonly from: string;
  /** The imported file, `node:<name>` for a built-in, or the package name (or layer, or src/ folder). */
  readonly to: string;
  readonly rule: string;
}

/** A rule on single edges: which importers it governs and whether it allows a target. */
interface EdgeRule {
  readonly rule: string;
  governs(from: string): boolean;
  allows(to: ImportTarget, from: string): boolean;
}

/** Is `path` inside `folder` (a folder path without trailing slash)? */
function isIn(path: string, folder: string): boolean {
  return path.startsWith(`${folder}/`);
}

/** Is the target a repository file inside one of `folders`? */
function fileIn(to: ImportTarget, ...folders: string[]): boolean {
  return to.kind === "file" && folders.some((folder) => isIn(to.path, folder));
}

/** The packages accelerated/ runs on: gpu.js and tfjs (optionalDependencies, loaded by src/backend/registry.ts). */
const ACCELERATED_PACKAGE = /^(gpu\.js|@tensorflow\/tfjs-[a-z-]+)$/;

/** The rules every import edge must keep. */
export const EDGE_RULES: readonly EdgeRule[] = [
  {
    rule: "reference/ imports only reference/: no accelerated/, src/, test/, packages or Node built-ins",
    governs: (from) => isIn(from, "reference"),
    allows: (to) => fileIn(to, "reference"),
  },
  {
    rule: "accelerated/ imports only reference/, accelerated/, its packages (gpu.js, @tensorflow/tfjs-*) and Node built-ins",
    governs: (from) => isIn(from, "accelerated"),
    allows: (to) =>
      fileIn(to, "reference", "accelerated") ||
      to.kind === "builtin" ||
      (to.kind === "package" && ACCELERATED_PACKAGE.test(to.name)),
  },
  {
    rule: "only src/cli/ imports src/cli/",
    governs: (from) => !isIn(from, "test") && !isIn(from, "src/cli"),
    allows: (to) => !fileIn(to, "src/cli"),
  },
  {
    rule: "only src/web/ imports src/web/",
    governs: (from) => !isIn(from, "test") && !isIn(from, "src/web"),
    allows: (to) => !fileIn(to, "src/web"),
  },
  {
    rule: "no file outside test/ imports test/",
    governs: (from) => !isIn(from, "test"),
    allows: (to) => !fileIn(to, "test"),
  },
  {
    rule: "examples/ import the package as outside code does (trilm-oracle, or the built dist/), not its sources",
    governs: (from) => isIn(from, "examples"),
    allows: (to) =>
      fileIn(to, "examples", "dist") || to.kind === "builtin" || (to.kind === "package" && to.name === "trilm-oracle"),
  },
];

/** How a target is printed in a violation. */
function targetName(to: ImportTarget): string {
  return to.kind === "file" ? to.path : to.kind === "builtin" ? `node:${to.name}` : to.name;
}

/** Every edge that breaks an edge rule, once per rule it breaks. */
export function forbiddenImports(edges: readonly ImportEdge[]): LayeringViolation[] {
  return edges.flatMap(({ from, to }) =>
    EDGE_RULES.filter((rule) => rule.governs(from) && !rule.allows(to, from)).map((rule) => ({
      from,
      to: targetName(to),
      rule: rule.rule,
    })),
  );
}

/** Relative imports of files that do not exist (dist/, build output, excepted): a graph that misses them checks nothing. */
export function danglingImports(edges: readonly ImportEdge[], exists: (path: string) => boolean): LayeringViolation[] {
  return edges
    .filter(({ to }) => to.kind === "file" && !isIn(to.path, "dist") && !exists(to.path))
    .map(({ from, to }) => ({ from, to: targetName(to), rule: "an import names an existing file" }));
}

/** The file-to-file edges of the graph (imports of packages and built-ins left out), without repeats. */
function fileEdges(edges: readonly ImportEdge[]): [string, string][] {
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const { from, to } of edges) {
    if (to.kind !== "file" || seen.has(`${from}\0${to.path}`)) continue;
    seen.add(`${from}\0${to.path}`);
    out.push([from, to.path]);
  }
  return out;
}

/** Every file edge on an import cycle between files (a file importing itself included), naming the cycle's files. */
function fileCycles(edges: readonly ImportEdge[]): LayeringViolation[] {
  const files = fileEdges(edges);
  const componentOf = new Map<string, string[]>();
  for (const component of cyclicComponents(files)) for (const file of component) componentOf.set(file, component);
  return files
    .filter(([from, to]) => componentOf.has(from) && componentOf.get(from) === componentOf.get(to))
    .map(([from, to]) => ({ from, to, rule: `no import cycle between files: ${componentOf.get(from)!.join(" ⇄ ")}` }));
}

/**
 * The import cycles between groups of files (`groupOf`: a file's layer or src/ folder; undefined
 * leaves the file out). One violation per group-to-group edge on a cycle, fewest imports first (the
 * edge that closes a cycle is usually the rare one), naming how many file imports it stands for and
 * the first few.
 */
function groupCycles(
  edges: readonly ImportEdge[],
  groupOf: (path: string) => string | undefined,
  rule: string,
): LayeringViolation[] {
  const imports = new Map<string, { from: string; to: string; files: string[] }>();
  for (const [fromFile, toFile] of fileEdges(edges)) {
    const from = groupOf(fromFile);
    const to = groupOf(toFile);
    if (from === undefined || to === undefined || from === to) continue;
    const key = `${from}\0${to}`;
    if (!imports.has(key)) imports.set(key, { from, to, files: [] });
    imports.get(key)!.files.push(`${fromFile} → ${toFile}`);
  }
  const groupEdges = [...imports.values()];
  const componentOf = new Map<string, string[]>();
  for (const component of cyclicComponents(groupEdges.map(({ from, to }) => [from, to] as const)))
    for (const group of component) componentOf.set(group, component);
  return groupEdges
    .filter(({ from, to }) => componentOf.has(from) && componentOf.get(from) === componentOf.get(to))
    .sort((x, y) => x.files.length - y.files.length || (x.from + x.to < y.from + y.to ? -1 : 1))
    .map(({ from, to, files }) => {
      const shown = files.slice(0, 3).join(", ") + (files.length > 3 ? ", …" : "");
      const count = `${files.length} import${files.length === 1 ? "" : "s"}`;
      return { from, to, rule: `${rule}: ${componentOf.get(from)!.join(" ⇄ ")}; ${count}: ${shown}` };
    });
}

/** The layer of a file: its top-level folder. */
function layerOf(path: string): string {
  return path.split("/")[0];
}

/** The folder of src/ a file is in (src/cli, src/model, …), or the file itself for src/*.ts; undefined outside src/. */
function srcFolderOf(path: string): string | undefined {
  if (!isIn(path, "src")) return undefined;
  return path.split("/").slice(0, 2).join("/");
}

/** Import cycles between files, between layers, and between the folders of src/. */
export function importCycles(edges: readonly ImportEdge[]): LayeringViolation[] {
  return [
    ...fileCycles(edges),
    ...groupCycles(edges, layerOf, "no import cycle between layers"),
    ...groupCycles(edges, srcFolderOf, "no import cycle between src/ folders"),
  ];
}

/** `from → to (rule)`. */
export function formatViolation(violation: LayeringViolation): string {
  return `${violation.from} → ${violation.to} (${violation.rule})`;
}
