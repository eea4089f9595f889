/**
 * The layering of ARCHITECTURE.md, checked on the repository's import graph: reference/ ←
 * accelerated/ ← src/, src/cli and src/web private, test/ imported by nobody, no import cycle
 * between files, layers or src/ folders. A failure lists each offending edge as `from → to (rule)`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { importGraph, repositoryRoot, type ImportEdge, type ImportTarget } from "./import-graph.js";
import {
  danglingImports,
  forbiddenImports,
  formatViolation,
  importCycles,
  SCANNED_FOLDERS,
  type LayeringViolation,
} from "./layering-rules.js";

const ROOT = repositoryRoot();
const EDGES = importGraph(ROOT, SCANNED_FOLDERS);

/** Fail listing every violation, one `from → to (rule)` line each. */
function expectNone(what: string, violations: readonly LayeringViolation[]): void {
  if (violations.length > 0)
    expect.fail(`${violations.length} ${what}:\n${violations.map(formatViolation).join("\n")}`);
}

/** An edge to a repository file. */
function edge(from: string, path: string): ImportEdge {
  return { from, to: { kind: "file", path }, specifier: path };
}

/** Does the graph hold an edge from `from` to `to`? */
function hasEdge(from: string, to: ImportTarget): boolean {
  return EDGES.some((e) => e.from === from && JSON.stringify(e.to) === JSON.stringify(to));
}

describe("the repository's import graph", () => {
  test("is read: static, re-export, dynamic and package imports of every layer are in it", () => {
    for (const folder of ["reference/", "accelerated/", "src/", "src/web/", "examples/", "test/"])
      expect(EDGES.some((e) => e.from.startsWith(folder))).toBe(true);
    expect(hasEdge("reference/model/forward.ts", { kind: "file", path: "reference/model/attention.ts" })).toBe(true);
    expect(hasEdge("src/backend/backend.ts", { kind: "file", path: "accelerated/backend.ts" })).toBe(true);
    expect(hasEdge("src/backend/registry.ts", { kind: "file", path: "accelerated/gpujs/index.ts" })).toBe(true);
    expect(hasEdge("src/web/main.ts", { kind: "file", path: "src/web/explorer/explorer-view.ts" })).toBe(true);
    expect(hasEdge("accelerated/tfjs/index.ts", { kind: "package", name: "@tensorflow/tfjs-backend-wasm" })).toBe(true);
    expect(hasEdge("src/cli/commands/run.ts", { kind: "package", name: "commander" })).toBe(true);
  });

  test("every relative import names an existing file", () => {
    expectNone(
      "dangling import(s)",
      danglingImports(EDGES, (path) => existsSync(join(ROOT, path))),
    );
  });

  test("no import breaks a layering rule", () => {
    expectNone("forbidden import(s)", forbiddenImports(EDGES));
  });

  test("no import cycle between files, layers or src/ folders", () => {
    expectNone("edge(s) on an import cycle", importCycles(EDGES));
  });
});

describe("the rules catch what they forbid", () => {
  test("an import across a layer boundary, one line per edge and rule", () => {
    const edges: ImportEdge[] = [
      edge("reference/model/forward.ts", "src/errors.ts"),
      { from: "reference/codec/q8_k.ts", to: { kind: "builtin", name: "fs" }, specifier: "node:fs" },
      { from: "reference/codec/q8_k.ts", to: { kind: "package", name: "mathjs" }, specifier: "mathjs" },
      edge("accelerated/gpujs/index.ts", "src/backend/backend.ts"),
      { from: "accelerated/tfjs/index.ts", to: { kind: "package", name: "commander" }, specifier: "commander" },
      edge("src/golden/suites.ts", "src/cli/commands/run.ts"),
      edge("src/model/load-model.ts", "src/web/dom.ts"),
      edge("src/model/load-model.ts", "test/support/tiny-model.ts"),
      edge("examples/kernels/js-kernel.mjs", "src/api/harness.ts"),
    ];
    expect(forbiddenImports(edges).map(formatViolation)).toEqual([
      "reference/model/forward.ts → src/errors.ts (reference/ imports only reference/: no accelerated/, src/, test/, packages or Node built-ins)",
      "reference/codec/q8_k.ts → node:fs (reference/ imports only reference/: no accelerated/, src/, test/, packages or Node built-ins)",
      "reference/codec/q8_k.ts → mathjs (reference/ imports only reference/: no accelerated/, src/, test/, packages or Node built-ins)",
      "accelerated/gpujs/index.ts → src/backend/backend.ts (accelerated/ imports only reference/, " +
        "accelerated/, its packages (gpu.js, @tensorflow/tfjs-*) and Node built-ins)",
      "accelerated/tfjs/index.ts → commander (accelerated/ imports only reference/, accelerated/, " +
        "its packages (gpu.js, @tensorflow/tfjs-*) and Node built-ins)",
      "src/golden/suites.ts → src/cli/commands/run.ts (only src/cli/ imports src/cli/)",
      "src/model/load-model.ts → src/web/dom.ts (only src/web/ imports src/web/)",
      "src/model/load-model.ts → test/support/tiny-model.ts (no file outside test/ imports test/)",
      "examples/kernels/js-kernel.mjs → src/api/harness.ts (examples/ import the package as outside " +
        "code does (trilm-oracle, or the built dist/), not its sources)",
    ]);
  });

  test("what the layers may import passes", () => {
    const edges: ImportEdge[] = [
      edge("reference/model/forward.ts", "reference/codec/index.ts"),
      edge("accelerated/gpujs/index.ts", "reference/model/linear.ts"),
      { from: "accelerated/gpujs/index.ts", to: { kind: "package", name: "gpu.js" }, specifier: "gpu.js" },
      edge("src/cli/commands/run.ts", "src/cli/cli-io.ts"),
      edge("src/web/main.ts", "src/model/default-prompt.ts"),
      edge("test/src/cli/run.test.ts", "src/cli/commands/run.ts"),
      edge("examples/kernels/js-kernel.mjs", "dist/src/index.js"),
    ];
    expect(forbiddenImports(edges)).toEqual([]);
  });

  test("a cycle between files names each of its edges", () => {
    const edges = [
      edge("src/model/a.ts", "src/model/b.ts"),
      edge("src/model/b.ts", "src/model/c.ts"),
      edge("src/model/c.ts", "src/model/a.ts"),
      edge("src/model/c.ts", "src/model/d.ts"),
    ];
    expect(importCycles(edges).map(formatViolation)).toEqual([
      "src/model/a.ts → src/model/b.ts (no import cycle between files: src/model/a.ts ⇄ src/model/b.ts ⇄ src/model/c.ts)",
      "src/model/b.ts → src/model/c.ts (no import cycle between files: src/model/a.ts ⇄ src/model/b.ts ⇄ src/model/c.ts)",
      "src/model/c.ts → src/model/a.ts (no import cycle between files: src/model/a.ts ⇄ src/model/b.ts ⇄ src/model/c.ts)",
    ]);
  });

  test("a cycle between layers or src/ folders, through files that form no cycle: one line per direction, rarest first", () => {
    const edges = [
      edge("src/golden/suites.ts", "src/cli/commands/run.ts"),
      edge("src/cli/commands/golden.ts", "src/golden/index.ts"),
      edge("src/cli/commands/golden.ts", "src/golden/verify.ts"),
      edge("accelerated/backend.ts", "src/backend/backend.ts"),
      edge("src/backend/registry.ts", "accelerated/gpujs/index.ts"),
      edge("src/web/main.ts", "accelerated/tfjs/index.ts"),
    ];
    expect(importCycles(edges).map(formatViolation)).toEqual([
      "accelerated → src (no import cycle between layers: accelerated ⇄ src; 1 import: accelerated/backend.ts → src/backend/backend.ts)",
      "src → accelerated (no import cycle between layers: accelerated ⇄ src; 2 imports: " +
        "src/backend/registry.ts → accelerated/gpujs/index.ts, src/web/main.ts → accelerated/tfjs/index.ts)",
      "src/golden → src/cli (no import cycle between src/ folders: src/cli ⇄ src/golden; 1 import: src/golden/suites.ts → src/cli/commands/run.ts)",
      "src/cli → src/golden (no import cycle between src/ folders: src/cli ⇄ src/golden; 2 imports: " +
        "src/cli/commands/golden.ts → src/golden/index.ts, src/cli/commands/golden.ts → src/golden/verify.ts)",
    ]);
  });

  test("an import of a file that does not exist", () => {
    const exists = (path: string) => path !== "src/model/gone.ts";
    expect(
      danglingImports(
        [edge("src/cli/main.ts", "src/model/gone.ts"), edge("examples/x.mjs", "dist/src/index.js")],
        exists,
      ).map(formatViolation),
    ).toEqual(["src/cli/main.ts → src/model/gone.ts (an import names an existing file)"]);
  });
});
