/**
 * The spec reader (`#spec/<doc>/<section>`): renders spec/*.md with marked, gives § headings the
 * ids `spec-<doc>-<section>`, turns plain-text references (`"spec/forward.md §9.2"`, `"§5.3"`) and
 * links to other spec documents into page routes, and shows a document list and a table of
 * contents beside the text.
 */
import "./spec.css";
import { marked } from "marked";
import { clear, h, specHref, SPEC_DOCUMENTS, type SpecDocument } from "../dom.js";
import type { View } from "../view.js";
import {
  classifyLink,
  headingId,
  isSpecDocumentName,
  linkReferences,
  outlineOf,
  sectionId,
  sectionOfHeading,
  slugOf,
  tableOfContents,
  type SpecDocumentName,
} from "./spec-text.js";

/**
 * The documents' markdown, bundled into this view's chunk (which is itself loaded only when the
 * reader is first opened), so that `show` renders synchronously and the shell's data-ready="true"
 * means the document is on the page.
 */
const documentTexts = import.meta.glob<string>("../../../spec/*.md", { query: "?raw", import: "default", eager: true });

/** The markdown of a spec document (undefined when it is not in the build). */
function markdownOf(doc: SpecDocument): string | undefined {
  return documentTexts[`../../../spec/${doc}.md`];
}

/** Give every heading its id (§ section or slug). */
function identifyHeadings(container: HTMLElement, doc: string): void {
  for (const heading of container.querySelectorAll<HTMLElement>("h1, h2, h3, h4, h5, h6")) {
    const text = heading.textContent ?? "";
    heading.id = headingId(doc, text);
    const section = sectionOfHeading(text);
    if (section !== undefined) heading.dataset.section = section;
  }
}

/** Whether a text node is inside code, a link or a heading (left as it is). */
function isInsideCodeOrLink(node: Node, container: HTMLElement): boolean {
  for (let parent = node.parentElement; parent !== null && parent !== container; parent = parent.parentElement) {
    if (["CODE", "PRE", "A", "H1", "H2", "H3", "H4", "H5", "H6"].includes(parent.tagName)) return true;
  }
  return false;
}

/** Replace plain-text references in the prose with page links. */
function linkProseReferences(container: HTMLElement, doc: SpecDocumentName): void {
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  const textNodes: Text[] = [];
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    if (node instanceof Text && !isInsideCodeOrLink(node, container)) textNodes.push(node);
  }
  for (const node of textNodes) {
    const segments = linkReferences(node.data, doc);
    if (segments.every((s) => s.kind === "text")) continue;
    node.replaceWith(
      ...segments.map((s) =>
        s.kind === "text" ? s.text : h("a", { class: "spec-ref", href: specHref(s.doc, s.section) }, s.text),
      ),
    );
  }
}

/** Find the section a GitHub-style anchor names in a document's markdown ("" when none). */
function sectionOfAnchor(markdown: string, anchor: string): string {
  if (anchor === "") return "";
  const direct = /^(?:spec-[a-z-]+-)?(\d+(?:\.\d+)*)$/i.exec(anchor);
  if (direct !== null) return direct[1];
  const entry = tableOfContents(markdown).find(
    (e) => slugOf(`${e.section} ${e.title}`) === slugOf(anchor) || slugOf(e.title) === slugOf(anchor),
  );
  return entry?.section ?? "";
}

/** Point markdown links at page routes; repository files become code-styled text. */
function rewriteLinks(container: HTMLElement, doc: SpecDocumentName, markdown: string): void {
  for (const link of container.querySelectorAll<HTMLAnchorElement>("a[href]")) {
    const target = classifyLink(link.getAttribute("href") ?? "", doc);
    if (target.kind === "external") {
      link.target = "_blank";
      link.rel = "noopener";
    } else if (target.kind === "spec") {
      link.setAttribute(
        "href",
        specHref(
          target.doc,
          target.doc === doc
            ? sectionOfAnchor(markdown, target.anchor)
            : /^\d+(?:\.\d+)*$/.test(target.anchor)
              ? target.anchor
              : "",
        ),
      );
    } else {
      link.replaceWith(
        h(
          "code",
          { class: "spec-repo-path", title: `${target.path} (a file of the repository)` },
          link.textContent ?? target.path,
        ),
      );
    }
  }
}

/** Wrap tables so wide ones scroll horizontally. */
function wrapTables(container: HTMLElement): void {
  for (const table of container.querySelectorAll("table")) {
    const wrapper = h("div", { class: "spec-table-wrap" });
    table.replaceWith(wrapper);
    wrapper.appendChild(table);
    table.classList.add("data");
  }
}

/** Render a document's markdown into `container`. */
function renderDocument(container: HTMLElement, doc: SpecDocumentName, markdown: string): void {
  container.innerHTML = marked.parse(markdown, { async: false, gfm: true });
  identifyHeadings(container, doc);
  rewriteLinks(container, doc, markdown);
  linkProseReferences(container, doc);
  wrapTables(container);
}

function documentList(current: string): HTMLElement {
  return h(
    "ul",
    { class: "spec-docs" },
    SPEC_DOCUMENTS.map((doc) =>
      h(
        "li",
        {},
        h(
          "a",
          { href: specHref(doc, ""), class: doc === current ? "current" : undefined },
          doc === "README" ? "README (overview)" : `${doc}.md`,
        ),
      ),
    ),
  );
}

function tocList(doc: SpecDocument, markdown: string): HTMLElement {
  return h(
    "ul",
    { class: "spec-toc" },
    outlineOf(markdown).map((entry) =>
      h(
        "li",
        { class: `toc-level-${entry.level}`, "data-section": entry.target },
        h(
          "a",
          { href: specHref(doc, entry.target) },
          entry.number === "" ? null : h("span", { class: "toc-number" }, entry.number),
          entry.number === "" ? entry.title : ` ${entry.title}`,
        ),
      ),
    ),
  );
}

/** Mount the spec reader into `root`. */
export function mountSpecReader(root: HTMLElement): View {
  const nav = h("nav", { class: "spec-nav" });
  const error = h("p", { id: "spec-error", class: "error", hidden: true });
  const content = h("article", { id: "spec-content", class: "spec-content" });
  root.appendChild(h("div", { class: "spec-layout" }, nav, h("div", { class: "spec-main" }, error, content)));
  let renderedDoc: string | undefined;

  function showError(message: string): void {
    error.textContent = message;
    error.hidden = message === "";
  }

  function target(section: string, doc: string): void {
    for (const old of content.querySelectorAll(".target")) old.classList.remove("target");
    for (const item of nav.querySelectorAll(".spec-toc li"))
      item.classList.toggle("current", item.getAttribute("data-section") === section);
    const id = sectionId(doc, section);
    const heading = id === undefined ? null : document.getElementById(id);
    if (heading === null) {
      if (section !== "") showError(`spec/${doc}.md has no section §${section}; showing the top of the document.`);
      window.scrollTo(0, 0);
      root.dataset.section = "";
      return;
    }
    heading.classList.add("target");
    heading.scrollIntoView({ block: "start" });
    root.dataset.section = section;
  }

  function show(path: readonly string[]): void {
    const doc = path[0] ?? "README";
    const section = path.slice(1).join("/");
    showError("");
    if (!isSpecDocumentName(doc)) {
      clear(content);
      clear(nav);
      renderedDoc = undefined;
      nav.appendChild(documentList(""));
      showError(`There is no spec document "${doc}"; the documents are listed on the left.`);
      root.dataset.doc = doc;
      root.dataset.section = "";
      return;
    }
    const markdown = markdownOf(doc);
    if (markdown === undefined) {
      showError(`spec/${doc}.md is not part of this build.`);
      return;
    }
    if (renderedDoc !== doc) {
      renderDocument(content, doc, markdown);
      nav.replaceChildren(h("h2", {}, "Documents"), documentList(doc), h("h2", {}, "Contents"), tocList(doc, markdown));
      renderedDoc = doc;
    }
    root.dataset.doc = doc;
    target(section, doc);
  }

  return { show };
}
