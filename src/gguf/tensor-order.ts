/**
 * The order llama.cpp keeps a model's tensors in (llama_model_loader::weight_name_comparer), which
 * is the order llama-quantize writes them: tensors outside any `blk.N.` first, then by layer
 * number, and by name (byte-wise) within each group. Implements spec/gguf.md §8.
 */

const UTF8 = new TextEncoder();

/**
 * The layer `sscanf(name, "blk.%d.", &layer)` finds, or -1: the name starts with `blk.`, then
 * optional white space, an optional sign and at least one digit. Spec §8.
 */
export function layerOfName(name: string): number {
  const match = /^blk\.[ \t\n\v\f\r]*([+-]?\d+)/.exec(name);
  return match === null ? -1 : Number(match[1]);
}

/** Compare two names as std::string's operator< does: by UTF-8 bytes, unsigned. */
function compareBytes(a: string, b: string): number {
  const x = UTF8.encode(a);
  const y = UTF8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] !== y[i]) return x[i] - y[i];
  }
  return x.length - y.length;
}

/** llama.cpp's weight_name_comparer as a sort comparator: layer (-1 for none) first, then name. Spec §8. */
export function compareWeightNames(a: string, b: string): number {
  const layerA = layerOfName(a);
  const layerB = layerOfName(b);
  if (layerA !== layerB) return layerA < layerB ? -1 : 1;
  return compareBytes(a, b);
}
