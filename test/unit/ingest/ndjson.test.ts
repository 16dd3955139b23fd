import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SluiceError } from '../../../src/errors.js';
import { splitNdjson } from '../../../src/ingest/ndjson.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof SluiceError ? `${error.code} ${error.status} ${error.message}` : String(error);
  }
  return undefined;
}

describe('NDJSON bodies', () => {
  it('split into records without their newline, skipping blank lines and dropping \\r', () => {
    const parsed = splitNdjson(Buffer.from('{"a":1}\r\n\n  \n[1,2]\n"text"'), 100);
    assert.deepEqual(
      parsed.records.map((r) => r.toString()),
      ['{"a":1}', '[1,2]', '"text"'],
    );
    assert.equal(parsed.bytes, 7 + 5 + 6);
  });

  it('refuse invalid JSON with the line number, and store nothing of the request', () => {
    assert.match(
      codeOf(() => splitNdjson(Buffer.from('{"a":1}\n{"a":\n'), 100)) ?? '',
      /^InvalidJson 400 line 2: /,
    );
  });

  it('refuse a record over the limit with 413', () => {
    assert.match(
      codeOf(() => splitNdjson(Buffer.from(`{"a":1}\n"${'x'.repeat(20)}"\n`), 10)) ?? '',
      /^RecordTooLarge 413 line 2: record of 22 bytes exceeds the limit of 10 bytes/,
    );
  });

  it('refuse a body with no record', () => {
    assert.match(codeOf(() => splitNdjson(Buffer.from('\n \n'), 10)) ?? '', /^EmptyRequest 400/);
    assert.match(codeOf(() => splitNdjson(Buffer.alloc(0), 10)) ?? '', /^EmptyRequest 400/);
  });
});
