/**
 * Hover linking: hovering an element (grid cell, code group, trit, table row) highlights that
 * element everywhere, with the bytes that hold it; hovering a byte highlights the elements it holds.
 */

import { type ExplorerFormat, elementPlace, elementsOfByte } from "./layout.js";

/** What the pointer is over. */
export type HoverTarget =
  | { readonly kind: "element"; readonly element: number }
  | { readonly kind: "byte"; readonly format: ExplorerFormat; readonly byte: number };

/** The hover target of the element under the pointer (or of its nearest marked ancestor). */
export function hoverTargetOf(node: EventTarget | null): HoverTarget | undefined {
  if (!(node instanceof Element)) return undefined;
  const marked = node.closest<HTMLElement>("[data-element], [data-byte-cell], [data-byte-card]");
  if (marked === null) return undefined;
  const { element, byteCell, byteCard, format } = marked.dataset;
  if (element !== undefined) return { kind: "element", element: Number(element) };
  const byte = byteCell ?? byteCard;
  if (byte !== undefined && (format === "tq2_0" || format === "tq1_0"))
    return { kind: "byte", format, byte: Number(byte) };
  return undefined;
}

/** Remove every highlight under `root`. */
export function clearHighlights(root: HTMLElement): void {
  for (const node of root.querySelectorAll(".hl")) node.classList.remove("hl");
}

/** Highlight everything linked to `target` under `root`. */
export function highlight(root: HTMLElement, target: HoverTarget): void {
  clearHighlights(root);
  if (target.kind === "element") {
    highlightElement(root, target.element);
    const place = elementPlace(target.element);
    highlightByte(root, "tq2_0", place.tq2.byte);
    highlightByte(root, "tq1_0", place.tq1.byte);
  } else {
    highlightByte(root, target.format, target.byte);
    for (const e of elementsOfByte(target.format, target.byte)) highlightElement(root, e);
  }
}

/** Add `hl` to every `[data-element="e"]`. */
function highlightElement(root: HTMLElement, e: number): void {
  for (const node of root.querySelectorAll(`[data-element="${e}"]`)) node.classList.add("hl");
}

/** Add `hl` to a byte's hex cell and its diagram card. */
function highlightByte(root: HTMLElement, format: ExplorerFormat, byte: number): void {
  const selector = `[data-format="${format}"][data-byte-cell="${byte}"], [data-format="${format}"][data-byte-card="${byte}"]`;
  for (const node of root.querySelectorAll(selector)) node.classList.add("hl");
}
