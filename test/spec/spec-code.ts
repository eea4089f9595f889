/**
 * The scans behind test/spec/spec-code.test.ts: the two directions between spec/*.md and the code.
 *
 * Citation convention (spec/README.md, "How to read a spec next to `reference/`"): a citation is
 * "spec/<doc>.md §N.M" (or "<doc>.md §N.M"), which names its document, or a bare "§N.M" (as in
 * "Spec §7.2"), which names a section of the file's home document: for a spec document the document
 * itself, for a code file the first spec document the file names (its header comment does). A bare
 * "§N" right after a cited document in a list ("spec/forward.md §3.2, §9") stays in that document.
 * The parsing is the spec reader's (src/web/spec/spec-text.ts `linkReferences`), so the page and the
 * test read a citation the same way.
 *
 * Code convention: every numbered section (§N and §N.M headings) has, in its own text (before its
 * first numbered sub-section), a paragraph "Code: `path` (`symbol`, …); `path` …" naming the files
 * that implement it and, in parentheses, symbols those files export.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";
import {
  linkReferences,
  markdownHeadings,
  sectionOfHeading,
  SPEC_DOCUMENT_NAMES,
  type SpecDocumentName,
} from "../../src/web/spec/spec-text.js";

/** Something the test reports: where it is, what it is, and what is wrong. */
export interface Offender {
  /** Repository path. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** The function, citation or section concerned. */
  readonly name: string;
  readonly problem: string;
}

/** "file:line name: problem", one line per offender for a failure message. */
export function formatOffenders(offenders: readonly Offender[]): string {
  return offenders.map((o) => `${o.file}:${o.line} ${o.name}: ${o.problem}`).join("\n");
}

/** The files under `dir` (repository-relative) whose names end in one of `extensions`, recursively, sorted. */
export function filesUnder(root: string, dir: string, extensions: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(join(root, path), { withFileTypes: true })) {
      const child = `${path}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (extensions.some((ext) => entry.name.endsWith(ext))) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

/** 1-based line of `offset` in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

// ---------------------------------------------------------------------------------------------
// The spec side

/** A numbered heading of a spec document and the text it owns (up to its first numbered sub-section). */
export interface SpecSection {
  readonly doc: SpecDocumentName;
  /** "4.2" */
  readonly section: string;
  /** 1-based line of the heading. */
  readonly line: number;
  /** The lines after the heading that belong to this section and to none of its numbered sub-sections. */
  readonly ownText: readonly string[];
  /** 1-based line of ownText[0]. */
  readonly ownTextLine: number;
}

/** The numbered sections of a markdown document, in order. */
export function specSections(doc: SpecDocumentName, markdown: string): SpecSection[] {
  const lines = markdown.split("\n");
  const headingLines: { index: number; level: number; section: string | undefined }[] = [];
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch !== null) {
      if (fence === undefined) fence = fenceMatch[1][0];
      else if (fenceMatch[1][0] === fence) fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading !== null) headingLines.push({ index, level: heading[1].length, section: sectionOfHeading(heading[2]) });
  });
  const sections: SpecSection[] = [];
  headingLines.forEach((heading, k) => {
    if (heading.section === undefined) return;
    // Own text ends at the next numbered heading, or at the next heading of this level or above.
    let end = lines.length;
    for (const next of headingLines.slice(k + 1)) {
      if (next.section !== undefined || next.level <= heading.level) {
        end = next.index;
        break;
      }
    }
    sections.push({
      doc,
      section: heading.section,
      line: heading.index + 1,
      ownText: lines.slice(heading.index + 1, end),
      ownTextLine: heading.index + 2,
    });
  });
  return sections;
}

/** The section numbers of every spec document. */
export function sectionIndex(root: string): Map<SpecDocumentName, Set<string>> {
  const index = new Map<SpecDocumentName, Set<string>>();
  for (const doc of SPEC_DOCUMENT_NAMES) {
    const markdown = readFileSync(join(root, `spec/${doc}.md`), "utf8");
    index.set(doc, new Set(markdownHeadings(markdown).flatMap((h) => sectionOfHeading(h.text) ?? [])));
  }
  return index;
}

/** One entry of a "Code:" paragraph: a repository path and the symbols named after it. */
export interface CodeEntry {
  readonly path: string;
  readonly symbols: readonly string[];
}

/** The "Code:" paragraph of a section's own text, parsed; undefined where there is none. */
export function codeParagraph(section: SpecSection): { line: number; entries: CodeEntry[] } | undefined {
  const start = section.ownText.findIndex((line) => line.startsWith("Code: "));
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < section.ownText.length && section.ownText[end].trim() !== "") end++;
  const paragraph = section.ownText.slice(start, end).join(" ");
  const entries: CodeEntry[] = [];
  for (const match of paragraph.matchAll(/`([^`]+)`(?:\s*\(([^)]*)\))?/g)) {
    const symbols = [...(match[2] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    entries.push({ path: match[1], symbols });
  }
  return { line: section.ownTextLine + start, entries };
}

// ---------------------------------------------------------------------------------------------
// The code side

/** A file's comments with their offsets (string literals and code excluded). */
export function commentsOf(source: string): { text: string; offset: number }[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, source);
  const comments: { text: string; offset: number }[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia) {
      comments.push({ text: scanner.getTokenText(), offset: scanner.getTokenStart() });
    }
    // A "/" where an expression starts may begin a regular expression.
    if (kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) scanner.reScanSlashToken();
    if (kind === ts.SyntaxKind.CloseBraceToken) scanner.reScanTemplateToken(false);
  }
  return comments;
}

/** The first spec document a code file names ("spec/forward.md"): what its bare "§N" cite. */
export function homeDocument(source: string): SpecDocumentName | undefined {
  for (const { text } of commentsOf(source)) {
    const match = new RegExp(String.raw`spec/(${SPEC_DOCUMENT_NAMES.join("|")})\.md`).exec(text);
    if (match !== null) return match[1] as SpecDocumentName;
  }
  return undefined;
}

/** A section citation found in a text. */
export interface Citation {
  readonly doc: SpecDocumentName | undefined;
  readonly section: string;
  /** Offset of the citation in the scanned text. */
  readonly offset: number;
  readonly text: string;
}

/**
 * The section citations of a piece of text; bare "§N" belong to `home` (undefined: a code file without one).
 * Text in `backticks` is literal (an example, a string), never a citation.
 */
export function citationsIn(text: string, home: SpecDocumentName | undefined): Citation[] {
  const prose = text.replace(/`[^`\n]*`/g, (span) => " ".repeat(span.length));
  // linkReferences needs a document for bare "§N"; README has no sections, so a bare one there stays unresolved.
  const segments = linkReferences(prose, home ?? "README");
  const citations: Citation[] = [];
  let offset = 0;
  for (const segment of segments) {
    if (segment.kind === "reference" && segment.section !== "") {
      const bare = segment.text.startsWith("§");
      citations.push({
        doc: bare && home === undefined && segment.doc === "README" ? undefined : segment.doc,
        section: segment.section,
        offset,
        text: segment.text,
      });
    }
    offset += segment.text.length;
  }
  return citations;
}

/** Citations of a code file's comments that name no section: wrong number, or a bare "§" with no home document. */
export function brokenCodeCitations(
  file: string,
  source: string,
  sections: Map<SpecDocumentName, Set<string>>,
): Offender[] {
  const home = homeDocument(source);
  const offenders: Offender[] = [];
  for (const comment of commentsOf(source)) {
    for (const citation of citationsIn(comment.text, home)) {
      const line = lineAt(source, comment.offset + citation.offset);
      if (citation.doc === undefined) {
        offenders.push({ file, line, name: citation.text, problem: "bare § in a file that names no spec document" });
      } else if (!(sections.get(citation.doc)?.has(citation.section) ?? false)) {
        offenders.push({
          file,
          line,
          name: citation.text,
          problem: `spec/${citation.doc}.md has no §${citation.section}`,
        });
      }
    }
  }
  return offenders;
}

/** Cross-references of a spec document that name no section. Fenced code blocks are skipped. */
export function brokenSpecCitations(
  doc: SpecDocumentName,
  markdown: string,
  sections: Map<SpecDocumentName, Set<string>>,
): Offender[] {
  let fence: string | undefined;
  const prose = markdown
    .split("\n")
    .map((line) => {
      const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
      if (fenceMatch !== null) {
        if (fence === undefined) fence = fenceMatch[1][0];
        else if (fenceMatch[1][0] === fence) fence = undefined;
        return "";
      }
      return fence === undefined ? line : "";
    })
    .join("\n");
  return citationsIn(prose, doc)
    .filter((c) => c.doc !== undefined && !(sections.get(c.doc)?.has(c.section) ?? false))
    .map((c) => ({
      file: `spec/${doc}.md`,
      line: lineAt(prose, c.offset),
      name: c.text,
      problem: `spec/${c.doc}.md has no §${c.section}`,
    }));
}

/** An exported function of a module: `export function f` or `export const f = (…) => …` / `function …`. */
export interface ExportedFunction {
  readonly name: string;
  readonly line: number;
  /** The TSDoc comment (/** … *\/) right before the declaration, if any. */
  readonly doc: string | undefined;
}

/** The exported functions of a TypeScript source. */
export function exportedFunctions(fileName: string, source: string): ExportedFunction[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const exported = (node: ts.Node): boolean =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const tsDoc = (node: ts.Node): string | undefined => {
    const ranges = ts.getLeadingCommentRanges(source, node.getFullStart()) ?? [];
    const last = ranges.at(-1);
    const text = last === undefined ? undefined : source.slice(last.pos, last.end);
    return text?.startsWith("/**") === true ? text : undefined;
  };
  const functions: ExportedFunction[] = [];
  for (const statement of file.statements) {
    if (!exported(statement)) continue;
    const line = file.getLineAndCharacterOfPosition(statement.getStart()).line + 1;
    if (ts.isFunctionDeclaration(statement) && statement.name !== undefined) {
      functions.push({ name: statement.name.text, line, doc: tsDoc(statement) });
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        if (init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          functions.push({ name: declaration.name.getText(file), line, doc: tsDoc(statement) });
        }
      }
    }
  }
  return functions;
}

/** The names a module exports: its exported declarations, `export { … }` and, followed, `export * from`. */
export function exportedNames(root: string, path: string, seen: Set<string> = new Set()): Set<string> {
  const names = new Set<string>();
  if (seen.has(path)) return names;
  seen.add(path);
  const source = readFileSync(join(root, path), "utf8");
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true);
  for (const statement of file.statements) {
    if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (clause === undefined && statement.moduleSpecifier !== undefined) {
        const target = join(dirname(path), (statement.moduleSpecifier as ts.StringLiteral).text).replace(
          /\.js$/,
          ".ts",
        );
        for (const name of exportedNames(root, target, seen)) names.add(name);
      } else if (clause !== undefined && ts.isNamedExports(clause)) {
        for (const element of clause.elements) names.add(element.name.text);
      } else if (clause !== undefined && ts.isNamespaceExport(clause)) {
        names.add(clause.name.text);
      }
      continue;
    }
    const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
    if (!modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) names.add(declaration.name.getText(file));
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name !== undefined
    ) {
      names.add(statement.name.text);
    }
  }
  return names;
}

/** Exported functions whose TSDoc cites no spec section (or that have no TSDoc). */
export function uncitedFunctions(file: string, source: string): Offender[] {
  const home = homeDocument(source);
  return exportedFunctions(file, source)
    .filter((fn) => fn.doc === undefined || citationsIn(fn.doc, home).every((c) => c.doc === undefined))
    .map((fn) => ({
      file,
      line: fn.line,
      name: fn.name,
      problem: fn.doc === undefined ? "no TSDoc comment" : "its TSDoc cites no spec section",
    }));
}

/** Numbered sections without a "Code:" paragraph, and Code entries naming missing files or symbols. */
export function sectionsWithoutCode(root: string, sections: readonly SpecSection[]): Offender[] {
  const offenders: Offender[] = [];
  const exportsOf = new Map<string, Set<string>>();
  for (const section of sections) {
    const file = `spec/${section.doc}.md`;
    const name = `§${section.section}`;
    const code = codeParagraph(section);
    if (code === undefined) {
      offenders.push({ file, line: section.line, name, problem: 'names no code (no "Code:" paragraph)' });
      continue;
    }
    if (code.entries.length === 0) offenders.push({ file, line: code.line, name, problem: "its Code: names nothing" });
    for (const entry of code.entries) {
      const full = join(root, entry.path);
      if (!existsSync(full) || !statSync(full).isFile()) {
        offenders.push({ file, line: code.line, name, problem: `names ${entry.path}, which is not a file` });
        continue;
      }
      if (entry.symbols.length === 0) continue;
      if (!/\.(?:ts|mjs)$/.test(entry.path)) {
        offenders.push({ file, line: code.line, name, problem: `names symbols of ${entry.path}, not a module` });
        continue;
      }
      let names = exportsOf.get(entry.path);
      if (names === undefined) {
        names = exportedNames(root, entry.path);
        exportsOf.set(entry.path, names);
      }
      for (const symbol of entry.symbols) {
        if (!names.has(symbol.split(".")[0])) {
          offenders.push({ file, line: code.line, name, problem: `${entry.path} does not export ${symbol}` });
        }
      }
    }
  }
  return offenders;
}
