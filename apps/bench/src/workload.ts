/** The article's inputs: random integers in 1..99 from a fixed seed, and a result checksum. */

/** `count` integers in 1..99 from a fixed-seed PRNG (mulberry32), the same on every run. */
export function articleInputs(count: number, seed = 12_345): number[] {
  let state = seed >>> 0;
  const inputs = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const random = ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    inputs[i] = 1 + Math.floor(random * 99);
  }
  return inputs;
}

/** An order-sensitive checksum of BigInt results: a wrong, missing or misplaced one changes it. */
export function checksum(results: readonly bigint[]): string {
  let sum = 0n;
  for (let i = 0; i < results.length; i++) sum += (results[i] as bigint) * BigInt((i % 1000) + 1);
  return `${results.length}:${sum.toString(36).slice(-16)}`;
}
