/**
 * The public API report, api/trilm-oracle.api.md: every export of every entry point of package.json's
 * "exports" (src/api/*.ts), with its kind and its declaration without bodies, the way a .d.ts file
 * states it — so that a change to the public surface shows up in review as a diff of that file.
 * Written with the TypeScript compiler API over one ts.Program; deterministic (entries in the
 * order of "exports", exports sorted by name). `npm run api:report` writes it;
 * test/package/api-report.test.ts regenerates it in memory and compares.
 */

import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Where the report lives, from the repository root. */
export const API_REPORT_FILE = "api/trilm-oracle.api.md";

/** One entry point: its import specifier and its TypeScript source. */
export interface ApiEntry {
  /** `trilm-oracle` or `trilm-oracle/<subpath>`. */
  readonly specifier: string;
  /** Absolute path of its source, src/api/<name>.ts. */
  readonly source: string;
}

/** Something wrong with one declaration of the public API. */
export interface ApiProblem {
  /** The entry point it was found through. */
  readonly specifier: string;
  /** The export (and, for an unexported type, what uses it). */
  readonly name: string;
  /** Where it is declared: `path:line` from the repository root. */
  readonly location: string;
}

/** The report and what it found missing. */
export interface ApiReport {
  readonly text: string;
  /** Exports whose declaration has no TSDoc comment. */
  readonly undocumented: readonly ApiProblem[];
  /** The project's types and values that exported signatures name but no entry point exports. */
  readonly unexported: readonly ApiProblem[];
}

/** The entry points package.json exports, in its order (each `import` target dist/src/api/X.js ← src/api/X.ts). */
export function apiEntries(): ApiEntry[] {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
    name: string;
    exports: Record<string, string | { import: string }>;
  };
  return Object.entries(manifest.exports).flatMap(([subpath, target]) => {
    if (typeof target === "string") return []; // ./package.json
    const match = /^\.\/dist\/(src\/api\/[\w-]+)\.js$/.exec(target.import);
    if (match === null)
      throw new Error(`package.json exports ${subpath}: ${target.import} is not dist/src/api/<name>.js`);
    const specifier = subpath === "." ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
    return [{ specifier, source: join(REPO_ROOT, `${match[1]}.ts`) }];
  });
}

/** Compiler options of tsconfig.json (one program over the entry files and what they import). */
function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(REPO_ROOT, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  );
  if (parsed === undefined) throw new Error("cannot read tsconfig.json");
  return { ...parsed.options, noEmit: true };
}

/** How variable `node` is declared: `const` or `let`. */
function variableKind(node: ts.VariableDeclaration): string {
  return (ts.getCombinedNodeFlags(node) & ts.NodeFlags.Const) !== 0 ? "const" : "let";
}

/** Whether `node` carries a modifier of `kind`. */
function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** `modifiers` without `export`, `default`, `declare` and `async` (how a .d.ts states the API). */
function publicModifiers(modifiers: readonly ts.ModifierLike[] | undefined): ts.ModifierLike[] | undefined {
  const dropped = new Set([
    ts.SyntaxKind.ExportKeyword,
    ts.SyntaxKind.DefaultKeyword,
    ts.SyntaxKind.DeclareKeyword,
    ts.SyntaxKind.AsyncKeyword,
  ]);
  const kept = (modifiers ?? []).filter((m) => !dropped.has(m.kind));
  return kept.length === 0 ? undefined : kept;
}

/** Builds declarations without bodies or initializers, with inferred types written out. */
class DeclarationPrinter {
  private readonly printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

  constructor(private readonly checker: ts.TypeChecker) {}

  /** `node` as a .d.ts would state it, without the export keyword. */
  print(node: ts.Declaration): string {
    const source = node.getSourceFile();
    if (ts.isVariableDeclaration(node)) {
      const type = node.type ?? this.typeNodeOf(this.checker.getTypeAtLocation(node.name), node);
      return `${variableKind(node)} ${node.name.getText(source)}: ${this.printer.printNode(ts.EmitHint.Unspecified, type, source)};`;
    }
    const stripped = this.strip(node);
    return this.printer.printNode(ts.EmitHint.Unspecified, stripped, source);
  }

  private typeNodeOf(type: ts.Type, at: ts.Node): ts.TypeNode {
    const node = this.checker.typeToTypeNode(type, at, ts.NodeBuilderFlags.NoTruncation);
    if (node === undefined) throw new Error(`cannot write the type of ${at.getText()}`);
    return node;
  }

  /** A parameter as a .d.ts has it: a default value becomes `?`, a missing type is inferred. */
  private parameter(p: ts.ParameterDeclaration): ts.ParameterDeclaration {
    const type = p.type ?? this.typeNodeOf(this.checker.getTypeAtLocation(p), p);
    const optional =
      p.questionToken ??
      (p.initializer !== undefined ? ts.factory.createToken(ts.SyntaxKind.QuestionToken) : undefined);
    return ts.factory.updateParameterDeclaration(
      p,
      publicModifiers(p.modifiers),
      p.dotDotDotToken,
      p.name,
      optional,
      type,
      undefined,
    );
  }

  /** The declared or inferred return type of a function-like declaration. */
  private returnType(node: ts.SignatureDeclaration): ts.TypeNode {
    if (node.type !== undefined) return node.type;
    const signature = this.checker.getSignatureFromDeclaration(node);
    if (signature === undefined) throw new Error(`no signature for ${node.getText()}`);
    return this.typeNodeOf(this.checker.getReturnTypeOfSignature(signature), node);
  }

  private strip(node: ts.Declaration): ts.Node {
    const f = ts.factory;
    if (ts.isFunctionDeclaration(node)) {
      return f.updateFunctionDeclaration(
        node,
        publicModifiers(node.modifiers),
        node.asteriskToken,
        node.name,
        node.typeParameters,
        node.parameters.map((p) => this.parameter(p)),
        this.returnType(node),
        undefined,
      );
    }
    if (ts.isClassDeclaration(node)) {
      const members = node.members.flatMap((member) => this.classMember(member));
      return f.updateClassDeclaration(
        node,
        publicModifiers(node.modifiers),
        node.name,
        node.typeParameters,
        node.heritageClauses,
        members,
      );
    }
    if (ts.isInterfaceDeclaration(node)) {
      return f.updateInterfaceDeclaration(
        node,
        publicModifiers(node.modifiers),
        node.name,
        node.typeParameters,
        node.heritageClauses,
        node.members,
      );
    }
    if (ts.isTypeAliasDeclaration(node)) {
      return f.updateTypeAliasDeclaration(
        node,
        publicModifiers(node.modifiers),
        node.name,
        node.typeParameters,
        node.type,
      );
    }
    if (ts.isEnumDeclaration(node)) {
      return f.updateEnumDeclaration(node, publicModifiers(node.modifiers), node.name, node.members);
    }
    throw new Error(`api report: cannot print a ${ts.SyntaxKind[node.kind]} (${node.getText().slice(0, 60)})`);
  }

  /** A class member as a .d.ts states it; private members are left out. */
  private classMember(member: ts.ClassElement): ts.ClassElement[] {
    const f = ts.factory;
    if (hasModifier(member, ts.SyntaxKind.PrivateKeyword)) return [];
    if (member.name !== undefined && ts.isPrivateIdentifier(member.name)) return [];
    if (ts.isConstructorDeclaration(member)) {
      const parameters = member.parameters.map((p) => this.parameter(p));
      return [f.updateConstructorDeclaration(member, publicModifiers(member.modifiers), parameters, undefined)];
    }
    if (ts.isMethodDeclaration(member)) {
      return [
        f.updateMethodDeclaration(
          member,
          publicModifiers(member.modifiers),
          member.asteriskToken,
          member.name,
          member.questionToken,
          member.typeParameters,
          member.parameters.map((p) => this.parameter(p)),
          this.returnType(member),
          undefined,
        ),
      ];
    }
    if (ts.isPropertyDeclaration(member)) {
      const type = member.type ?? this.typeNodeOf(this.checker.getTypeAtLocation(member), member);
      return [
        f.updatePropertyDeclaration(
          member,
          publicModifiers(member.modifiers),
          member.name,
          member.questionToken,
          type,
          undefined,
        ),
      ];
    }
    if (ts.isGetAccessorDeclaration(member)) {
      return [
        f.updateGetAccessorDeclaration(
          member,
          publicModifiers(member.modifiers),
          member.name,
          [],
          this.returnType(member),
          undefined,
        ),
      ];
    }
    if (ts.isSetAccessorDeclaration(member)) {
      const parameters = member.parameters.map((p) => this.parameter(p));
      return [
        f.updateSetAccessorDeclaration(member, publicModifiers(member.modifiers), member.name, parameters, undefined),
      ];
    }
    if (ts.isClassStaticBlockDeclaration(member) || ts.isSemicolonClassElement(member)) return [];
    return [member];
  }
}

/** Whether `declaration` (or, for a variable, its statement) has a TSDoc comment with text. */
function hasTsdoc(declaration: ts.Declaration): boolean {
  return ts
    .getJSDocCommentsAndTags(declaration)
    .some((doc) => ts.isJSDoc(doc) && ts.getTextOfJSDocComment(doc.comment)?.trim());
}

/** `path:line` of `node`, from the repository root. */
function locationOf(node: ts.Node): string {
  const source = node.getSourceFile();
  const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
  return `${relative(REPO_ROOT, source.fileName)}:${line + 1}`;
}

/** One exported declaration of one entry point. */
interface ExportedDeclaration {
  readonly name: string;
  readonly declaration: ts.Declaration;
}

/** The declarations `exported` (an export of a module, maybe an alias) stands for. */
function declarationsOf(checker: ts.TypeChecker, exported: ts.Symbol): ts.Declaration[] {
  const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  return target.declarations ?? [];
}

/**
 * The project's declarations that the signature of `declaration` names (type references, `extends`
 * clauses, `typeof` queries), bodies, initializers and private class members left out.
 */
function referencedDeclarations(checker: ts.TypeChecker, declaration: ts.Declaration): ts.Declaration[] {
  const found: ts.Declaration[] = [];
  const add = (name: ts.Node): void => {
    const symbol = checker.getSymbolAtLocation(name);
    if (symbol === undefined || symbol.flags & ts.SymbolFlags.TypeParameter) return;
    for (const named of declarationsOf(checker, symbol)) {
      const d = ts.isEnumMember(named) ? named.parent : named; // GgmlType.TQ2_0 names the enum
      const file = d.getSourceFile().fileName;
      if (file.startsWith(REPO_ROOT) && !file.includes("/node_modules/")) found.push(d);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isBlock(node)) return;
    const parent = node.parent as ts.Node | undefined;
    if (parent !== undefined && "initializer" in parent && parent.initializer === node) return;
    if (ts.isClassElement(node) && hasModifier(node, ts.SyntaxKind.PrivateKeyword)) return;
    if (ts.isTypeReferenceNode(node)) add(node.typeName);
    else if (ts.isExpressionWithTypeArguments(node)) add(node.expression);
    else if (ts.isTypeQueryNode(node)) add(node.exprName);
    ts.forEachChild(node, visit);
  };
  visit(declaration);
  return found;
}

/** Sort by name, as code units (the same order on every machine). */
function byName(a: ts.Symbol, b: ts.Symbol): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The report of every entry of `entries` (default: package.json's), from one program. */
export function generateApiReport(entries: readonly ApiEntry[] = apiEntries()): ApiReport {
  const program = ts.createProgram({ rootNames: entries.map((e) => e.source), options: compilerOptions() });
  const checker = program.getTypeChecker();
  const exportsOf = new Map<ApiEntry, ExportedDeclaration[]>();
  for (const entry of entries) {
    const source = program.getSourceFile(entry.source);
    const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (moduleSymbol === undefined) throw new Error(`api report: ${entry.source} is missing or not a module`);
    const exports = [...checker.getExportsOfModule(moduleSymbol)].sort(byName);
    exportsOf.set(
      entry,
      exports.flatMap((exported) =>
        declarationsOf(checker, exported).map((declaration) => ({ name: exported.name, declaration })),
      ),
    );
  }
  const exported = new Set([...exportsOf.values()].flat().map((e) => e.declaration));

  const printer = new DeclarationPrinter(checker);
  const undocumented: ApiProblem[] = [];
  const unexported = new Map<ts.Declaration, ApiProblem>();
  const lines = [
    "# API report: trilm-oracle",
    "",
    "Generated by test/package/api-report.ts from the entry points of package.json's `exports` (`npm run api:report`).",
    "Do not edit: a change here is a change to the public API. Per entry point, every export " +
      "(sorted by name) as its declaration without bodies: its kind (function, class, interface, type, enum, const) and its signature.",
  ];
  for (const [entry, declarations] of exportsOf) {
    const count = new Set(declarations.map((d) => d.name)).size;
    lines.push(
      "",
      `## ${entry.specifier}`,
      "",
      `${count} exports, from ${relative(REPO_ROOT, entry.source)}.`,
      "",
      "```ts",
    );
    declarations.forEach(({ name, declaration }, i) => {
      if (!hasTsdoc(declaration))
        undocumented.push({ specifier: entry.specifier, name, location: locationOf(declaration) });
      for (const referenced of referencedDeclarations(checker, declaration)) {
        if (exported.has(referenced) || unexported.has(referenced)) continue;
        const referencedName = ts.getNameOfDeclaration(referenced)?.getText() ?? "(anonymous)";
        unexported.set(referenced, {
          specifier: entry.specifier,
          name: `${referencedName}, used by ${name}`,
          location: locationOf(referenced),
        });
      }
      if (i > 0) lines.push("");
      lines.push(printer.print(declaration));
    });
    lines.push("```");
  }
  return { text: `${lines.join("\n")}\n`, undocumented, unexported: [...unexported.values()] };
}
