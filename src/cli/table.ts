// Rows of text in aligned columns, for resolve and interfaces.

/** The rows (a header first) with each column padded to its widest cell; the last column is not padded. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((row) => (row[k] ?? '').length)));
  return rows.map((row) => row.map((cell, k) => (k === row.length - 1 ? cell : cell.padEnd(widths[k]!))).join('  ').trimEnd() + '\n').join('');
}
