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
 * Each shape's weight — how heavy its expensive items are — by default, and the weights the
 * bench runs with `--weights all`: `tail`, `head`, `scattered` and `tail-heavy` multiply their
 * expensive items' cost; `one-big` gives its item about that many times the work of all the
 * others (0.5: a third of the whole; 1: half, so the ideal is the item itself); `rising` ends
 * at that many times the first item's cost.
 */
export const SKEW_WEIGHTS: Readonly<
  Record<SkewShape, { default: number; all: readonly number[] }>
> = {
  uniform: { default: 1, all: [1] },
  tail: { default: 40, all: [10, 40, 160] },
  head: { default: 40, all: [10, 40, 160] },
  scattered: { default: 40, all: [10, 40, 160] },
  'one-big': { default: 0.5, all: [0.1, 0.5, 1] },
  rising: { default: 20, all: [5, 20, 80] },
  'tail-heavy': { default: 200, all: [50, 200, 800] },
};

/** A shape with its weight, as the bench names it: `tail` (the default weight) or `tail@160`. */
export interface SkewCase {
  readonly shape: SkewShape;
  readonly weight: number;
}

/** Parses a case name made by {@link skewCaseName}. */
export function parseSkewCase(name: string): SkewCase {
  const [shape, weight] = name.split('@') as [SkewShape, string | undefined];
  if (!(shape in SKEW_WEIGHTS)) throw new Error(`unknown skew shape ${shape}`);
  const w = weight === undefined ? SKEW_WEIGHTS[shape].default : Number(weight);
  if (!Number.isFinite(w) || w <= 0) throw new Error(`bad skew weight in ${name}`);
  return { shape, weight: w };
}

/** `shape`, or `shape@weight` when the weight is not the shape's default. */
export function skewCaseName({ shape, weight }: SkewCase): string {
  return weight === SKEW_WEIGHTS[shape].default ? shape : `${shape}@${weight}`;
}

/** The cases of every shape: at its default weight, or (`all`) at each of its weights. */
export function skewCases(weights: 'default' | 'all'): SkewCase[] {
  return SKEW_SHAPES.flatMap((shape) =>
    weights === 'all'
      ? SKEW_WEIGHTS[shape].all.map((weight) => ({ shape, weight }))
      : [{ shape, weight: SKEW_WEIGHTS[shape].default }],
  );
}

/**
 * `n` item costs in µs: `uniform` is the control (no skew: what is left is per-item overhead),
 * `tail`/`head` put 5 % of items at `weight`× the others (default 40×) at the end/start,
 * `scattered` spreads them evenly (one in 20), `one-big` gives one item (at 3/4 of the input)
 * about `weight` times the work of all the others (default 0.5: a third of the whole),
 * `rising` grows linearly from 1 to `weight`× (default 20×) and `tail-heavy` puts the last 1 %
 * at `weight`× (default 200×).
 */
export function skewCosts(
  shape: SkewShape,
  n: number,
  weight: number = SKEW_WEIGHTS[shape].default,
): number[] {
  const costs = new Array<number>(n).fill(BASE_US);
  const heavy = (i: number) => {
    costs[i] = BASE_US * weight;
  };
  switch (shape) {
    case 'uniform':
      break;
    case 'tail':
      for (let i = Math.floor(n * 0.95); i < n; i++) heavy(i);
      break;
    case 'head':
      for (let i = 0; i < Math.floor(n * 0.05); i++) heavy(i);
      break;
    case 'scattered':
      for (let i = 0; i < n; i += 20) heavy(i);
      break;
    case 'one-big':
      costs[Math.floor(n * 0.75)] = BASE_US * n * weight;
      break;
    case 'rising':
      for (let i = 0; i < n; i++) costs[i] = BASE_US * (1 + ((weight - 1) * i) / n);
      break;
    case 'tail-heavy':
      for (let i = Math.floor(n * 0.99); i < n; i++) heavy(i);
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
