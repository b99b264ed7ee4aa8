/**
 * cli-table3 set up the bench's way: no colours, no boxes, a rule under the header, columns
 * one space apart, so a table reads the same in a terminal, a CI log and a pasted issue.
 */
import Table from 'cli-table3';

/** One row: cells, or `{ content, colSpan }` for a cell over several columns. */
export type PlainRow = Table.HorizontalTableRow;

const CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '-',
  'mid-mid': '-',
  right: '',
  'right-mid': '',
  middle: ' ',
};

/** Renders `rows` under `head`; columns in `left` align left, the rest right. */
export function renderPlainTable(
  head: readonly string[],
  rows: readonly PlainRow[],
  left: ReadonlySet<number> = new Set([0]),
): string[] {
  const table = new Table({
    head: [...head],
    chars: CHARS,
    colAligns: head.map((_, col) => (left.has(col) ? 'left' : 'right')),
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 1 },
  });
  table.push(...rows);
  return table
    .toString()
    .split('\n')
    .map((line: string) => line.trimEnd());
}
