/** The article's inputs: random integers in 1..99 from a fixed seed. */

/** The seed every run uses, so every backend, peer and Python see the same inputs. */
export const INPUT_SEED = 12_345;

/**
 * `count` integers in 1..99 from a fixed-seed PRNG (mulberry32), the same on every run. A
 * shorter list is a prefix of a longer one.
 */
export function articleInputs(count: number, seed = INPUT_SEED): number[] {
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
