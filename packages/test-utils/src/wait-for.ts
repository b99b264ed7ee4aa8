/** Polling until a condition holds, for cases that watch the OS or an executor settle. */

/** Polls `check` every 20 ms for at most `ms`; resolves with whether it came true. */
export async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}
