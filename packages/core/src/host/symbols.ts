/**
 * The host side's symbol keys, in one place so their names tell them apart (the wire's own brand,
 * a string every message carries, is `BRAND` in `wire/protocol.ts`). `Symbol.for` keys, so two
 * copies of core in one process agree on them.
 */

/** Marks an options object made by `withOptions()`, so `run` can take it as its last argument. */
export const RUN_OPTIONS_MARK: unique symbol = Symbol.for('manyhands.runOptions');

/** Key under which a failed chunk's error carries the failing item's index within its chunk. */
export const CHUNK_ITEM_INDEX: unique symbol = Symbol.for('manyhands.chunkIndex');

/**
 * Key under which a failed `map`'s error carries the failing item's index within the whole input
 * (read with `failedInputIndex`).
 */
export const INPUT_INDEX: unique symbol = Symbol.for('manyhands.inputIndex');
