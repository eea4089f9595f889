/** Reading import specifiers, resolving them, and finding cycles: the pieces of the layering check. */
import { describe, expect, test } from "vitest";
import { cyclicComponents, importSpecifiers, repositoryRoot, resolveImport } from "./import-graph.js";

const ROOT = repositoryRoot();

describe("importSpecifiers", () => {
  test("static, side-effect, type, re-export, typeof import, dynamic import and require", () => {
    const text = [
      'import a from "./a.js";',
      'import "./b.js";',
      'import type { T } from "./c.js";',
      'export * from "./d.js";',
      'export { x } from "./e.js";',
      'let m: typeof import("./f.js");',
      'async function g() { await import("./g.js"); }',
      'const h = require("./h.js");',
      'import j from "./j.json" with { type: "json" };',
      'const notAnImport = "./k.js";',
    ].join("\n");
    expect(importSpecifiers(text)).toEqual([
      "./a.js",
      "./b.js",
      "./c.js",
      "./d.js",
      "./e.js",
      "./f.js",
      "./g.js",
      "./h.js",
      "./j.json",
    ]);
  });
});

describe("resolveImport", () => {
  test("a .js specifier names the .ts source; a Vite query is dropped; data files stay as written", () => {
    expect(resolveImport(ROOT, "src/cli/commands/run.ts", "../../run/generate.js")).toEqual({
      kind: "file",
      path: "src/run/generate.ts",
    });
    expect(
      resolveImport(ROOT, "src/web/golden/golden-view.ts", "../../../golden/schema/manifest.schema.json?raw"),
    ).toEqual({
      kind: "file",
      path: "golden/schema/manifest.schema.json",
    });
    expect(resolveImport(ROOT, "src/a.ts", "./missing.js")).toEqual({ kind: "file", path: "src/missing.js" });
  });

  test("packages by name (scoped: two parts), Node built-ins with or without node:", () => {
    expect(resolveImport(ROOT, "src/a.ts", "gpu.js/package.json")).toEqual({ kind: "package", name: "gpu.js" });
    expect(resolveImport(ROOT, "src/a.ts", "@tensorflow/tfjs-core/dist/x")).toEqual({
      kind: "package",
      name: "@tensorflow/tfjs-core",
    });
    expect(resolveImport(ROOT, "src/a.ts", "node:fs")).toEqual({ kind: "builtin", name: "fs" });
    expect(resolveImport(ROOT, "src/a.ts", "path")).toEqual({ kind: "builtin", name: "path" });
  });
});

describe("cyclicComponents", () => {
  test("exactly the node sets on a cycle, self-loops included", () => {
    const edges = [
      ["a", "b"],
      ["b", "a"],
      ["b", "c"],
      ["c", "d"],
      ["d", "e"],
      ["e", "c"],
      ["f", "f"],
      ["g", "a"],
    ] as const;
    expect(cyclicComponents(edges).sort()).toEqual([["a", "b"], ["c", "d", "e"], ["f"]]);
    expect(
      cyclicComponents([
        ["a", "b"],
        ["b", "c"],
        ["a", "c"],
      ]),
    ).toEqual([]);
  });

  test("a long chain does not overflow the stack", () => {
    const chain = Array.from({ length: 50_000 }, (_, i) => [`n${i}`, `n${i + 1}`] as const);
    expect(cyclicComponents(chain)).toEqual([]);
    expect(cyclicComponents([...chain, ["n50000", "n0"]])[0]).toHaveLength(50_001);
  });
});
