/** StdPriorityQueue: priority order, and libstdc++'s order among equal priorities. */
import fc from "fast-check";
import { expect, test } from "vitest";
import { StdPriorityQueue } from "../../../src/tokenizer/std-heap.js";
import { checkProperty } from "../../support/property.js";

interface Entry {
  readonly key: number;
  readonly id: number;
}
const below = (a: Entry, b: Entry): boolean => a.key < b.key;

test("equal keys leave in libstdc++'s order", () => {
  // std::priority_queue<E, std::vector<E>, key-less> compiled with g++ 12.2 (libstdc++): push 12 entries with these keys
  // (ids 0…11), popping once after the 7th push, then popping all; it printed 0 2 7 4 11 8 6 3 10 5 1 9
  const keys = [3, 1, 3, 2, 3, 1, 2, 3, 3, 1, 2, 3];
  const queue = new StdPriorityQueue<Entry>(below);
  const order: number[] = [];
  keys.forEach((key, id) => {
    queue.push({ key, id });
    if (id === 6) order.push(queue.pop().id);
  });
  while (!queue.empty) order.push(queue.pop().id);
  expect(order).toEqual([0, 2, 7, 4, 11, 8, 6, 3, 10, 5, 1, 9]);
});

test("pops in non-increasing key order, every entry once (property)", () => {
  checkProperty(
    "StdPriorityQueue order",
    fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 60 }), (keys) => {
      const queue = new StdPriorityQueue<Entry>(below);
      keys.forEach((key, id) => queue.push({ key, id }));
      const popped: Entry[] = [];
      while (!queue.empty) popped.push(queue.pop());
      expect(popped.map((e) => e.key)).toEqual([...keys].sort((a, b) => b - a));
      expect(new Set(popped.map((e) => e.id)).size).toBe(keys.length);
    }),
  );
});
