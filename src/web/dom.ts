/**
 * A few DOM helpers shared by the views (no framework: the page is small, and a reader should be
 * able to follow any element back to the line that made it).
 */

/** Attributes of `h`: `class`, `id`, `data-*`, `aria-*` and other string attributes; `on*` handlers. */
export type Attributes = Readonly<Record<string, string | number | boolean | undefined | ((event: Event) => void)>>;

/** A child of `h`: a node, text, or nothing. */
export type Child = Node | string | number | null | undefined | false;

/**
 * Create an element: `h("a", { href: "#spec/formats/4.2", class: "spec-link" }, "§4.2")`.
 * Boolean `true` sets an empty attribute, `false`/undefined leaves it out; a function value under
 * `onclick`, `oninput`, … is added as an event listener.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: readonly (Child | readonly Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Append children (flattening one level of arrays, skipping null/undefined/false). */
export function append(parent: Node, children: readonly (Child | readonly Child[])[]): void {
  for (const child of children) {
    if (Array.isArray(child)) append(parent, child);
    else if (child === null || child === undefined || child === false) continue;
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Remove every child of `element`. */
export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

/** The element with this id, of the expected class; throws a message naming the id otherwise. */
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`page: #${id} is missing or not a ${kind.name}`);
  return element;
}

/** A link into spec/: `specLink("formats", "4.2")` → <a href="#spec/formats/4.2">spec/formats.md §4.2</a>. */
export function specLink(document: SpecDocument, section: string, label?: string): HTMLAnchorElement {
  return h(
    "a",
    { class: "spec-link", href: specHref(document, section), title: `spec/${document}.md §${section}` },
    label ?? `spec/${document}.md §${section}`,
  );
}

/** The spec documents the page can show (spec/<name>.md). */
export const SPEC_DOCUMENTS = [
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

/** One of SPEC_DOCUMENTS. */
export type SpecDocument = (typeof SPEC_DOCUMENTS)[number];

/** The page route of a spec section: `#spec/formats/4.2` (section "" → the document's top). */
export function specHref(document: SpecDocument, section: string): string {
  return section === "" ? `#spec/${document}` : `#spec/${document}/${section}`;
}
