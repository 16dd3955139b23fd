// Splits an NDJSON body into records: one JSON value a line. Blank lines are skipped and a
// trailing "\r" is dropped, as most NDJSON readers do. Each line is checked to be JSON, so what
// lands is what a query engine can read; the record stored is the line without its newline.
// JSON text is UTF-8 (RFC 8259): a body that is not is refused, rather than stored with its
// bad bytes (Node's decoder would quietly read them as U+FFFD and the line would parse).
import { isUtf8 } from 'node:buffer';
import { SluiceError } from '../errors.js';

export interface ParsedRecords {
  records: Buffer[];
  bytes: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export function splitNdjson(body: Buffer, maxRecordBytes: number): ParsedRecords {
  if (!isUtf8(body)) throw new SluiceError('InvalidJson', `line ${firstLineNotUtf8(body)}: not valid UTF-8`);
  const records: Buffer[] = [];
  let bytes = 0;
  let lineNumber = 0;
  let start = 0;
  while (start < body.length) {
    lineNumber += 1;
    let end = body.indexOf(NEWLINE, start);
    if (end === -1) end = body.length;
    let line = body.subarray(start, end);
    start = end + 1;
    if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN)
      line = line.subarray(0, line.length - 1);
    if (isBlank(line)) continue;
    if (line.length > maxRecordBytes) {
      throw new SluiceError(
        'RecordTooLarge',
        `line ${lineNumber}: record of ${line.length} bytes exceeds the limit of ${maxRecordBytes} bytes`,
      );
    }
    try {
      JSON.parse(line.toString('utf8'));
    } catch (error) {
      throw new SluiceError('InvalidJson', `line ${lineNumber}: ${(error as Error).message}`);
    }
    records.push(line);
    bytes += line.length;
  }
  if (records.length === 0) throw new SluiceError('EmptyRequest', 'the request body holds no record');
  return { records, bytes };
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) {
    if (byte !== 0x20 && byte !== 0x09) return false;
  }
  return true;
}

function firstLineNotUtf8(body: Buffer): number {
  let line = 1;
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf(NEWLINE, start);
    if (end === -1) end = body.length;
    if (!isUtf8(body.subarray(start, end))) return line;
    line += 1;
    start = end + 1;
  }
  return line;
}
