/**
 * Pure text logic of the spec reader (no DOM): section ids of headings, the table of contents of
 * a document, and the rewriting of plain-text references (`"spec/forward.md §9.2"`, `"§5.3"`,
 * `"tolerances.md"`) and markdown link targets into page routes.
 */

/** The spec documents, as in src/web/dom.ts SPEC_DOCUMENTS (kept here so this module stays DOM-free). */
export const SPEC_DOCUMENT_NAMES = [
  "README",
  "formats",
  "forward",
  "tolerances",
  "golden",
  "gguf",
  "kernel-protocol",
  "trirun",
  "tokenizer",
  "bitnet",
  "bug-zoo",
  "performance",
] as const;

/** One of SPEC_DOCUMENT_NAMES. */
export type SpecDocumentName = (typeof SPEC_DOCUMENT_NAMES)[number];

/** Whether `name` is one of the spec documents. */
export function isSpecDocumentName(name: string): name is SpecDocumentName {
  return (SPEC_DOCUMENT_NAMES as readonly string[]).includes(name);
}

const SECTION_HEADING = /^§(\d+(?:\.\d+)*)(?=\s|$)/;

/** The section number of a heading's text: "§4.2 Element → (byte, bit) map" → "4.2"; undefined without §. */
export function sectionOfHeading(text: string): string | undefined {
  return SECTION_HEADING.exec(text.trim())?.[1];
}

/** A lower-case slug of a heading without §: "How to read a spec" → "how-to-read-a-spec". */
export function slugOf(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** The element id of a heading: `spec-<doc>-<section>` for § headings, `spec-<doc>-<slug>` otherwise. */
export function headingId(doc: string, text: string): string {
  return `spec-${doc}-${sectionOfHeading(text) ?? slugOf(text)}`;
}

/** The element id of a section of a document ("" → undefined: the top). */
export function sectionId(doc: string, section: string): string | undefined {
  return section === "" ? undefined : `spec-${doc}-${section}`;
}

/** A § heading of a document. */
export interface TocEntry {
  /** 1 for "#", 2 for "##", … */
  readonly level: number;
  /** "4.2" */
  readonly section: string;
  /** The heading's text after the section number, without markdown backticks. */
  readonly title: string;
}

/** Markdown ATX headings outside fenced code blocks, in order. */
export function markdownHeadings(markdown: string): { level: number; text: string }[] {
  const headings: { level: number; text: string }[] = [];
  let fence: string | undefined;
  for (const line of markdown.split("\n")) {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch !== null) {
      if (fence === undefined) fence = fenceMatch[1][0];
      else if (fenceMatch[1][0] === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading !== null) headings.push({ level: heading[1].length, text: heading[2] });
  }
  return headings;
}

/** The table of contents of a document: its § headings. */
export function tableOfContents(markdown: string): TocEntry[] {
  const entries: TocEntry[] = [];
  for (const { level, text } of markdownHeadings(markdown)) {
    const section = sectionOfHeading(text);
    if (section !== undefined)
      entries.push({ level, section, title: text.trim().replace(SECTION_HEADING, "").replace(/`/g, "").trim() });
  }
  return entries;
}

/** A heading of a document's outline: § headings by number, others by slug. */
export interface OutlineEntry {
  readonly level: number;
  /** The route's section part: "4.2" or a slug ("documents"). */
  readonly target: string;
  /** "§4.2", or "" for a heading without §. */
  readonly number: string;
  readonly title: string;
}

/** The headings of levels 2 and 3 (the § ones and the others), for the reader's contents list. */
export function outlineOf(markdown: string): OutlineEntry[] {
  return markdownHeadings(markdown)
    .filter((h) => h.level === 2 || h.level === 3)
    .map(({ level, text }) => {
      const section = sectionOfHeading(text);
      const title = text.trim().replace(SECTION_HEADING, "").replace(/`/g, "").trim();
      return section === undefined
        ? { level, target: slugOf(text), number: "", title }
        : { level, target: section, number: `§${section}`, title };
    });
}

/** The section numbers a document defines (its § headings). */
export function sectionsOf(markdown: string): Set<string> {
  return new Set(tableOfContents(markdown).map((entry) => entry.section));
}

/** A piece of prose: plain text, or a reference to a spec document (and maybe a section). */
export type TextSegment =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "reference"; readonly text: string; readonly doc: SpecDocumentName; readonly section: string };

const REFERENCE = new RegExp(
  String.raw`(?:spec/)?(${SPEC_DOCUMENT_NAMES.join("|")})\.md(?:\s§(\d+(?:\.\d+)*))?|§(\d+(?:\.\d+)*)`,
  "g",
);

/** Text allowed between a document reference and a following bare "§n" that belongs to it. */
const LIST_SEPARATOR = /^(?:,\s*|\s+and\s+|,\s+and\s+|\s*[–-]\s*)$/;

/**
 * Split prose into text and references. "spec/forward.md §9.2" and "formats.md §4.5" name a
 * document (and section); a bare `"§5.3"` names a section of `currentDoc`, unless it continues a
 * list after a document reference ("spec/forward.md §3.2, §9" → both in forward).
 */
export function linkReferences(text: string, currentDoc: SpecDocumentName): TextSegment[] {
  const segments: TextSegment[] = [];
  let last = 0;
  let listDoc: SpecDocumentName | undefined;
  for (const match of text.matchAll(REFERENCE)) {
    const start = match.index;
    const between = text.slice(last, start);
    if (between !== "") segments.push({ kind: "text", text: between });
    if (match[1] !== undefined) {
      const doc = match[1] as SpecDocumentName;
      segments.push({ kind: "reference", text: match[0], doc, section: match[2] ?? "" });
      listDoc = match[2] !== undefined ? doc : undefined;
    } else {
      const continuesList = listDoc !== undefined && LIST_SEPARATOR.test(between);
      segments.push({
        kind: "reference",
        text: match[0],
        doc: continuesList ? (listDoc ?? currentDoc) : currentDoc,
        section: match[3],
      });
      if (!continuesList) listDoc = undefined;
    }
    last = start + match[0].length;
  }
  if (last < text.length) segments.push({ kind: "text", text: text.slice(last) });
  return segments;
}

/** Where a markdown link of a spec document goes on the page. */
export type LinkTarget =
  | { readonly kind: "spec"; readonly doc: SpecDocumentName; readonly anchor: string }
  | { readonly kind: "external"; readonly href: string }
  | { readonly kind: "repository"; readonly path: string };

/**
 * Classify a markdown link target: `#anchor` → the same document; `formats.md`, `./formats.md#anchor`, `spec/formats.md` →
 * a spec route; `http(s):`/`mailto:` → external; anything else (reference/…, src/…, ../README.md)
 * → a repository file, which the page cannot serve.
 */
export function classifyLink(href: string, currentDoc: SpecDocumentName): LinkTarget {
  if (/^(?:https?:|mailto:)/i.test(href)) return { kind: "external", href };
  const [path, anchor = ""] = href.split("#", 2);
  if (path === "") return { kind: "spec", doc: currentDoc, anchor };
  const spec = /^(?:\.\/)?(?:spec\/)?([A-Za-z-]+)\.md$/.exec(path);
  if (spec !== null && isSpecDocumentName(spec[1])) return { kind: "spec", doc: spec[1], anchor };
  return { kind: "repository", path };
}
