/** What is left of a list of buffers after a (possibly partial) write of their bytes, in order. */

/**
 * The pieces left after the first `written` bytes of `pieces` went out: whole pieces dropped,
 * a piece written in part cut to its rest (a new list; `pieces` is left as it was).
 */
export function unwritten(pieces: readonly Buffer[], written: number): Buffer[] {
  let left = written;
  let done = 0;
  while (done < pieces.length && left >= (pieces[done] as Buffer).length) {
    left -= (pieces[done] as Buffer).length;
    done++;
  }
  const rest = pieces.slice(done);
  if (left > 0) rest[0] = (rest[0] as Buffer).subarray(left);
  return rest;
}
