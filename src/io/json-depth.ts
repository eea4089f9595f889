/**
 * How deep a parsed JSON value nests, measured without recursion. JSON.parse accepts values nested
 * hundreds of thousands deep, but JSON.stringify and recursive validators overflow the stack on them
 * (a RangeError), so the strict JSON readers refuse anything deeper than they could ever need.
 * See spec/gguf.md §9. Pure.
 */

/** The deepest nesting any of the oracle's JSON files may have (theirs is at most 6). */
export const MAX_JSON_DEPTH = 64;

/** Does `value` (as JSON.parse returned it) nest arrays or objects more than `limit` deep? */
export function jsonDeeperThan(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
