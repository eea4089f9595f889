/**
 * The repository's import graph, read statically: every `import … from`, `import "…"`, `export … from`,
 * `import type`, `typeof import("…")`, dynamic `import("…")` and `require("…")` specifier of a source
 * file (TypeScript's `ts.preProcessFile`), each resolved to a repository file, a package or a Node
 * built-in. test/architecture/layering.test.ts checks the graph against the rules in layering-rules.ts.
 */

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** What an import specifier names. */
export type ImportTarget =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "package"; readonly name: string }
  | { readonly kind: "builtin"; readonly name: string };

/** One import: the importing file (repository-relative, `/`-separated), what it names and the specifier as written. */
export interface ImportEdge {
  readonly from: string;
  readonly to: ImportTarget;
  readonly specifier: string;
}

/** File names the graph reads as source. */
const SOURCE_FILE = /\.(ts|mts|js|mjs)$/;

/** Folders never descended into. */
const SKIPPED_FOLDERS = new Set(["node_modules", "dist", "dist-web"]);

/** Every source file under `folders` of `root`, repository-relative with `/` separators, sorted. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = posix.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(path);
      } else if (SOURCE_FILE.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        files.push(path);
      }
    }
  };
  for (const folder of folders) if (existsSync(join(root, folder))) walk(folder);
  return files.sort();
}

/** The import specifiers written in `text`, in order (static, re-export, type, dynamic and require). */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/** Is `path` (repository-relative) an existing file? */
function isFile(root: string, path: string): boolean {
  const full = join(root, path);
  return existsSync(full) && statSync(full).isFile();
}

/**
 * The repository file a relative specifier of `from` names: the path as written if it exists (.json,
 * .mjs, data files), else the .ts source of a .js/.mjs specifier (NodeNext), else `<path>.ts` or
 * `<path>/index.ts` (Bundler resolution, src/web). A Vite query (`?raw`, `?url`) is dropped. A path
 * that resolves to nothing is returned as written, so a dangling import still shows in the graph.
 */
function resolveRelative(root: string, from: string, specifier: string): string {
  const written = posix.normalize(posix.join(posix.dirname(from), specifier.replace(/\?.*$/, "")));
  const candidates = [
    written,
    written.replace(/\.js$/, ".ts"),
    written.replace(/\.mjs$/, ".mts"),
    `${written}.ts`,
    `${written}/index.ts`,
  ];
  return candidates.find((candidate) => isFile(root, candidate)) ?? written;
}

/** Node's built-in module names without the `node:` prefix (fs, path, …). */
const BUILTINS = new Set(builtinModules);

/** What `specifier`, written in `from`, names. */
export function resolveImport(root: string, from: string, specifier: string): ImportTarget {
  if (specifier.startsWith(".") || specifier.startsWith("/")) {
    return { kind: "file", path: resolveRelative(root, from, specifier) };
  }
  if (specifier.startsWith("node:") || BUILTINS.has(specifier.split("/")[0])) {
    return { kind: "builtin", name: specifier.replace(/^node:/, "") };
  }
  const parts = specifier.split("/");
  return { kind: "package", name: specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0] };
}

/** Every import edge of every source file under `folders` of `root`. */
export function importGraph(root: string, folders: readonly string[]): ImportEdge[] {
  return sourceFiles(root, folders).flatMap((from) =>
    importSpecifiers(readFileSync(join(root, from), "utf8")).map((specifier) => ({
      from,
      to: resolveImport(root, from, specifier),
      specifier,
    })),
  );
}

/** The repository root (this file is test/architecture/import-graph.ts). */
export function repositoryRoot(): string {
  return dirname(dirname(dirname(fileURLToPath(import.meta.url))));
}

/**
 * The strongly connected components of a directed graph with more than one node, or one node with an
 * edge to itself (Tarjan's algorithm, iterative): exactly the node sets that lie on a cycle.
 */
export function cyclicComponents(edges: readonly (readonly [string, string])[]): string[][] {
  const successors = new Map<string, string[]>();
  for (const [from, to] of edges) {
    if (!successors.has(from)) successors.set(from, []);
    if (!successors.has(to)) successors.set(to, []);
    successors.get(from)!.push(to);
  }
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const start of [...successors.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    index.set(start, counter);
    lowLink.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const next = successors.get(frame.node)!;
      if (frame.next < next.length) {
        const to = next[frame.next++];
        if (!index.has(to)) {
          index.set(to, counter);
          lowLink.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        lowLink.set(parent, Math.min(lowLink.get(parent)!, lowLink.get(frame.node)!));
      }
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = successors.get(frame.node)!.includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  }
  return components;
}
