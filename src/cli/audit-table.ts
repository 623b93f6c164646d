/**
 * Formats rows as a plain-text table for a terminal: columns padded to their widest cell,
 * two spaces apart, right-aligned for the column indexes in `rightAligned`. Returns lines ending in "\n".
 */
export function formatTextTable(options: { headers: readonly string[]; rows: ReadonlyArray<readonly string[]>; rightAligned?: readonly number[] }): string {
  const { headers, rows } = options;
  const right = new Set(options.rightAligned ?? []);
  const clean = (cell: string) => cell.replace(/[\u0000-\u001f\u007f]+/g, " ");
  const all = [headers, ...rows].map((row) => row.map(clean));
  const widths = headers.map((_, column) => Math.max(...all.map((row) => [...(row[column] ?? "")].length)));

  const lines = all.map((row) =>
    row
      .map((cell, column) => {
        const padding = " ".repeat(widths[column]! - [...cell].length);
        return right.has(column) ? padding + cell : cell + padding;
      })
      .join("  ")
      .trimEnd(),
  );
  return lines.map((line) => `${line}\n`).join("");
}
