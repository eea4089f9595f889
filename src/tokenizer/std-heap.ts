/**
 * A max-heap that pops in exactly the order of C++'s std::priority_queue over a std::vector in
 * libstdc++ (push_heap, pop_heap and __adjust_heap as GCC implements them), so that entries of
 * equal priority leave in the same order as in llama.cpp's tokenizers. Implements spec/tokenizer.md §6.
 */

/** `below(a, b)`: a has lower priority than b (the C++ comparator, "less"). */
export type Below<T> = (a: T, b: T) => boolean;

/** std::priority_queue<T, std::vector<T>, Below> with libstdc++'s heap algorithms. Spec §6. */
export class StdPriorityQueue<T> {
  private readonly items: T[] = [];

  /** @param below the comparator: true when the first argument has lower priority. */
  constructor(private readonly below: Below<T>) {}

  /** Is the queue empty? */
  get empty(): boolean {
    return this.items.length === 0;
  }

  /** push: append, then sift up (std::__push_heap from the last index to 0). */
  push(value: T): void {
    this.items.push(value);
    this.siftUp(this.items.length - 1, 0, value);
  }

  /** top + pop: the highest-priority item, removed as std::pop_heap removes it. */
  pop(): T {
    const items = this.items;
    const top = items[0];
    const last = items.length - 1;
    if (last > 0) {
      const value = items[last];
      items[last] = top;
      this.adjust(0, last, value);
    }
    items.pop();
    return top;
  }

  /** std::__adjust_heap(first, hole, len, value): move the hole down to a leaf, then sift value up. */
  private adjust(hole: number, len: number, value: T): void {
    const items = this.items;
    const top = hole;
    let child = hole;
    while (child < Math.floor((len - 1) / 2)) {
      child = 2 * (child + 1);
      if (this.below(items[child], items[child - 1])) child--;
      items[hole] = items[child];
      hole = child;
    }
    if ((len & 1) === 0 && child === Math.floor((len - 2) / 2)) {
      child = 2 * (child + 1);
      items[hole] = items[child - 1];
      hole = child - 1;
    }
    this.siftUp(hole, top, value);
  }

  /** std::__push_heap(first, hole, top, value). */
  private siftUp(hole: number, top: number, value: T): void {
    const items = this.items;
    let parent = Math.floor((hole - 1) / 2);
    while (hole > top && this.below(items[parent], value)) {
      items[hole] = items[parent];
      hole = parent;
      parent = Math.floor((hole - 1) / 2);
    }
    items[hole] = value;
  }
}
