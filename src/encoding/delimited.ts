// Joins a page of records with a delimiter after each: what NDJSON, raw output and the source
// backup have in common. `onlyWhenMissing` leaves out the delimiter after a record that
// already ends with it (NDJSON lines that arrive with their newline).
export function joinDelimited(
  records: readonly Buffer[],
  delimiter: Buffer,
  onlyWhenMissing: boolean,
): Buffer {
  const parts: Buffer[] = [];
  const last = delimiter[delimiter.length - 1];
  for (const data of records) {
    parts.push(data);
    if (delimiter.length === 0) continue;
    if (onlyWhenMissing && delimiter.length === 1 && data[data.length - 1] === last) continue;
    parts.push(delimiter);
  }
  return Buffer.concat(parts);
}
