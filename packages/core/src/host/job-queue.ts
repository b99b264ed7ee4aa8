/**
 * The pool's queue of jobs waiting for a worker: FIFO with O(1) push and shift, and a way to put
 * jobs back at the head (a retry, jobs a dead or busy worker never started).
 */

/** A FIFO of `T`, with a head index instead of `Array.shift` and compaction now and then. */
export class JobQueue<T> {
  private items: T[] = [];
  private head = 0;

  /** Entries in the queue (settled ones included, until skipped). */
  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Puts `items` at the head, in the given order. */
  unshift(items: readonly T[]): void {
    if (items.length === 0) return;
    if (this.head >= items.length) {
      this.head -= items.length;
      for (let i = 0; i < items.length; i++) this.items[this.head + i] = items[i] as T;
      return;
    }
    this.items.splice(this.head, 0, ...items);
  }

  /** The first entry, without removing it. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.items[this.head++] = undefined as T;
    this.compact();
    return item;
  }

  /** Every entry, head first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }

  /** Empties the queue. */
  clear(): void {
    this.items = [];
    this.head = 0;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
