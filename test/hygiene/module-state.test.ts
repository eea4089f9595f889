/**
 * The pure reference (reference/) keeps no mutable module-level state: no top-level `let` or `var`,
 * no top-level typed array, ArrayBuffer, DataView, Map, Set or WeakMap that code could write (a
 * shared scratch buffer makes a function's result depend on what ran before it), and top-level
 * array tables are typed read-only. Scratch space is allocated per call or passed in.
 */

import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { REPOSITORY_ROOT, repositorySourceFiles } from "./source-files.js";

/** Constructors whose instances are mutable; a top-level one is state unless typed Readonly (Map, Set). */
const MUTABLE_CONSTRUCTORS =
  /^(Int8|Uint8|Uint8Clamped|Int16|Uint16|Int32|Uint32|Float32|Float64|BigInt64|BigUint64)Array$|^(ArrayBuffer|DataView|Map|Set|WeakMap|WeakSet)$/;

/** `file:line: problem` for each top-level declaration of `text` that holds mutable state. */
function moduleStateProblems(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const problems: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    for (const declaration of list.declarations) {
      const line = source.getLineAndCharacterOfPosition(declaration.getStart()).line + 1;
      const name = declaration.name.getText(source);
      const type = declaration.type?.getText(source) ?? "";
      const init = declaration.initializer;
      let problem: string | undefined;
      if ((list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) !== ts.NodeFlags.Const) {
        problem = `top-level let/var ${name}`;
      } else if (
        init !== undefined &&
        ts.isNewExpression(init) &&
        MUTABLE_CONSTRUCTORS.test(init.expression.getText(source))
      ) {
        if (!/^Readonly(Map|Set)</.test(type)) problem = `top-level mutable ${init.expression.getText(source)} ${name}`;
      } else if (init !== undefined && isArrayValue(init, source) && !/^readonly |^Readonly</.test(type)) {
        problem = `top-level array ${name} not typed read-only`;
      }
      if (problem !== undefined) problems.push(`${file}:${line}: ${problem}`);
    }
  }
  return problems;
}

/** An array literal, `Array.from(…)` or `Array.of(…)`, possibly `as const` (which is read-only). */
function isArrayValue(init: ts.Expression, source: ts.SourceFile): boolean {
  if (ts.isAsExpression(init)) return false;
  if (ts.isArrayLiteralExpression(init)) return true;
  return ts.isCallExpression(init) && /^Array\.(from|of)$/.test(init.expression.getText(source));
}

describe("no mutable module-level state in reference/", () => {
  test("the rule catches each kind of state", () => {
    const text = [
      "let counter = 0;",
      "const scratch = new Float32Array(1);",
      "const cache = new Map<string, number>();",
      "const table = [1, 2];",
      "const readOnly: ReadonlySet<number> = new Set([1]);",
      "const frozen: readonly number[] = [1, 2];",
      "const constant = [1, 2] as const;",
      "function f(): void { let local = new Float32Array(1); local[0] = 1; }",
    ].join("\n");
    expect(moduleStateProblems("x.ts", text)).toEqual([
      "x.ts:1: top-level let/var counter",
      "x.ts:2: top-level mutable Float32Array scratch",
      "x.ts:3: top-level mutable Map cache",
      "x.ts:4: top-level array table not typed read-only",
    ]);
  });

  test("reference/**/*.ts declares none", () => {
    const files = repositorySourceFiles("reference");
    expect(files.length).toBeGreaterThan(10);
    const problems = files.flatMap((file) => moduleStateProblems(file, readFileSync(REPOSITORY_ROOT + file, "utf8")));
    expect(problems).toEqual([]);
  });
});
