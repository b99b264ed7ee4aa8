/** Cost shapes (µs per item) of the scheduler benchmark's skewed maps. */

/** The shapes: where the expensive items are. */
export const SKEW_SHAPES = [
  'uniform',
  'tail',
  'head',
  'scattered',
  'one-big',
  'rising',
  'tail-heavy',
] as const;
/** One of {@link SKEW_SHAPES}. */
export type SkewShape = (typeof SKEW_SHAPES)[number];

/** Cheap items cost this many µs. */
export const BASE_US = 5;

/**
 * `n` item costs in µs: `uniform` is the control (no skew: what is left is per-item overhead), `tail`/`head` put 5 % of items at 40× the others at the end/start,
 * `scattered` spreads them evenly, `one-big` gives one item (at 3/4 of the input) a third of all
 * the work, `rising` grows linearly from 1 to 20× and `tail-heavy` puts the last 1 % at 200×.
 */
export function skewCosts(shape: SkewShape, n: number): number[] {
  const costs = new Array<number>(n).fill(BASE_US);
  const heavy = (i: number, weight: number) => {
    costs[i] = BASE_US * weight;
  };
  switch (shape) {
    case 'uniform':
      break;
    case 'tail':
      for (let i = Math.floor(n * 0.95); i < n; i++) heavy(i, 40);
      break;
    case 'head':
      for (let i = 0; i < Math.floor(n * 0.05); i++) heavy(i, 40);
      break;
    case 'scattered':
      for (let i = 0; i < n; i += 20) heavy(i, 40);
      break;
    case 'one-big':
      costs[Math.floor(n * 0.75)] = (BASE_US * n) / 2;
      break;
    case 'rising':
      for (let i = 0; i < n; i++) costs[i] = BASE_US * (1 + (19 * i) / n);
      break;
    case 'tail-heavy':
      for (let i = Math.floor(n * 0.99); i < n; i++) heavy(i, 200);
      break;
  }
  return costs;
}

/**
 * The shortest makespan (same unit as `costs`) of any schedule that starts the items one by one
 * in input order on `workers` workers, each item paying `overhead` too: every item goes to the
 * worker that frees up first (by induction, each item starts as early as in any such schedule).
 * A reference for how much of a gap to the ideal no order-keeping pool can close: a pool that
 * hands out chunks starts a chunk's items together and can differ from it by about a chunk's
 * work either way. Where one item carries a large share of the work late in the input
 * (`one-big`), this is well above `max(total / workers, largest item)`.
 */
export function inOrderMakespan(costs: readonly number[], workers: number, overhead = 0): number {
  const free = new Array<number>(workers).fill(0);
  for (const cost of costs) {
    let first = 0;
    for (let w = 1; w < workers; w++) if ((free[w] as number) < (free[first] as number)) first = w;
    free[first] = (free[first] as number) + cost + overhead;
  }
  return Math.max(...free);
}

/**
 * `costs` cut into `workers` contiguous slices of about equal work (each item paying `overhead`
 * too): the perfect static split, known in advance, of the bench's "no pool" reference. Every
 * slice but the last stops at the first item that takes it to its share of the total.
 */
export function equalWorkSlices(
  costs: readonly number[],
  workers: number,
  overhead = 0,
): number[][] {
  const total = costs.reduce((a, b) => a + b + overhead, 0);
  const slices: number[][] = [];
  let start = 0;
  let done = 0;
  for (let w = 1; w <= workers; w++) {
    let end = start;
    if (w === workers) end = costs.length;
    else {
      while (end < costs.length && done < (total * w) / workers) {
        done += (costs[end] as number) + overhead;
        end++;
      }
    }
    slices.push(costs.slice(start, end));
    start = end;
  }
  return slices;
}
