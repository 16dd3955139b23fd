// A fast reader for the one body shape that carries nearly all records: PutRecord and
// PutRecordBatch as the AWS SDKs and agents write them, compact JSON with base64 data,
//   {"DeliveryStreamName":"s","Records":[{"Data":"eyJ..."},{"Data":"..."}]}
//   {"DeliveryStreamName":"s","Record":{"Data":"eyJ..."}}
// It returns what JSON.parse would, without first turning the whole body (up to ~5.5 MB) into
// one string: that string lands in V8's large-object space on every request, and collecting it
// was the largest share of the ingest thread's garbage-collection time. Anything else (white
// space, escapes, other members, repeated members, another order of elements) returns
// undefined and the caller parses the body with JSON.parse, so the accepted language is a
// subset of JSON with the same meaning; validation of the values stays with the operations.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const DELIVERY_STREAM_NAME = Buffer.from('"DeliveryStreamName":"');
const RECORDS = Buffer.from('"Records":[');
const RECORD = Buffer.from('"Record":');
const DATA = Buffer.from('{"Data":"');

/** The parsed body, or undefined when it is not in the compact shape (use JSON.parse then). */
export function readRecordsBody(body: Buffer): Record<string, unknown> | undefined {
  if (body[0] !== 0x7b /* { */ || body[body.length - 1] !== 0x7d /* } */) return undefined;
  // No escapes anywhere (base64 and stream names need none): one scan, then strings end at
  // their next quote.
  if (body.includes(BACKSLASH)) return undefined;
  const out: Record<string, unknown> = {};
  let at = 1;
  for (;;) {
    let next: number;
    if (startsWith(body, at, DELIVERY_STREAM_NAME)) {
      if ('DeliveryStreamName' in out) return undefined;
      const start = at + DELIVERY_STREAM_NAME.length;
      const end = body.indexOf(QUOTE, start);
      if (end < 0 || hasControlCharacter(body, start, end)) return undefined;
      out.DeliveryStreamName = body.toString('utf8', start, end);
      next = end + 1;
    } else if (startsWith(body, at, RECORDS)) {
      if ('Records' in out) return undefined;
      const records: unknown[] = [];
      next = at + RECORDS.length;
      if (body[next] === 0x5d /* ] */) {
        next += 1;
      } else {
        for (;;) {
          const record = readRecord(body, next);
          if (!record) return undefined;
          records.push(record.value);
          next = record.next;
          if (body[next] === 0x2c /* , */) next += 1;
          else if (body[next] === 0x5d /* ] */) break;
          else return undefined;
        }
        next += 1;
      }
      out.Records = records;
    } else if (startsWith(body, at, RECORD)) {
      if ('Record' in out) return undefined;
      const record = readRecord(body, at + RECORD.length);
      if (!record) return undefined;
      out.Record = record.value;
      next = record.next;
    } else {
      return undefined;
    }
    if (body[next] === 0x2c /* , */) {
      at = next + 1;
    } else if (next === body.length - 1) {
      return out;
    } else {
      return undefined;
    }
  }
}

/** `{"Data":"<text without escapes>"}` at `at`. */
function readRecord(body: Buffer, at: number): { value: { Data: string }; next: number } | undefined {
  if (!startsWith(body, at, DATA)) return undefined;
  const start = at + DATA.length;
  const end = body.indexOf(QUOTE, start);
  if (end < 0 || body[end + 1] !== 0x7d /* } */) return undefined;
  // Base64 is ASCII; any other byte (a control character JSON would refuse included) makes the
  // value invalid base64 all the same, and latin1 keeps it a distinct character, so the
  // operation's base64 check refuses it.
  return { value: { Data: body.toString('latin1', start, end) }, next: end + 2 };
}

/** JSON strings cannot hold raw control characters: such a body is JSON.parse's to refuse. */
function hasControlCharacter(body: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) if ((body[i] as number) < 0x20) return true;
  return false;
}

function startsWith(body: Buffer, at: number, prefix: Buffer): boolean {
  return (
    body.length - at >= prefix.length && body.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0
  );
}
