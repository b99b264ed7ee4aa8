/** How figures with their uncertainty are written in tables, verdicts and progress lines. */
import type { Summary } from './interval.js';

/** `1.62× (1.55–1.70)`: a ratio with its interval (just `1.00×` when the interval is a point). */
export function formatSpeedup(s: Summary | undefined): string {
  if (!s || !Number.isFinite(s.median)) return '—';
  const [low, high] = [s.low.toFixed(2), s.high.toFixed(2)];
  if (low === high) return `${s.median.toFixed(2)}×`;
  return `${s.median.toFixed(2)}× (${low}–${high})`;
}

/** Seconds with 3 decimals, or more significant digits when tiny. */
export function formatSeconds(seconds: number): string {
  return seconds >= 0.1 ? seconds.toFixed(3) : seconds.toPrecision(3);
}

/** `1.210–1.350`: an interval of seconds (empty for a single sample). */
export function formatSecondsRange(s: Summary | undefined): string {
  if (!s || s.n < 2) return '';
  return `${formatSeconds(s.low)}–${formatSeconds(s.high)}`;
}
