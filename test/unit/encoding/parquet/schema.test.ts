import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatSchema } from '../../../../src/config/format-schema.js';
import { parquetType, planOf, schemaDefinition } from '../../../../src/encoding/parquet/schema.js';

describe('Parquet schema from the config', () => {
  const format = formatSchema.parse({
    type: 'parquet',
    compression: 'gzip',
    rowGroupSize: 500,
    schema: {
      id: { type: 'int64' },
      at: { type: 'timestamp', unit: 'micros', field: 'eventTime' },
      tags: { type: 'string', repeated: true, optional: true },
      doc: { type: 'json', optional: true },
    },
  });
  assert.equal(format.type, 'parquet');

  it('keeps the columns in config order, with the JSON field each reads', () => {
    assert.deepEqual(planOf(format), {
      compression: 'gzip',
      rowGroupSize: 500,
      columns: [
        { name: 'id', field: 'id', type: 'int64', unit: 'millis', optional: false, repeated: false },
        {
          name: 'at',
          field: 'eventTime',
          type: 'timestamp',
          unit: 'micros',
          optional: false,
          repeated: false,
        },
        { name: 'tags', field: 'tags', type: 'string', unit: 'millis', optional: true, repeated: true },
        { name: 'doc', field: 'doc', type: 'json', unit: 'millis', optional: true, repeated: false },
      ],
    });
  });

  it('puts the codec on every column (parquetjs-lite ignores a writer-level codec)', () => {
    const definition = schemaDefinition(planOf(format));
    assert.deepEqual(Object.keys(definition), ['id', 'at', 'tags', 'doc']);
    for (const column of Object.values(definition)) assert.equal(column.compression, 'GZIP');
    assert.deepEqual(definition.doc, {
      type: 'UTF8',
      optional: true,
      repeated: false,
      compression: 'GZIP',
      statistics: false,
    });
  });

  it('maps every config type to a parquetjs-lite type', () => {
    const expected = {
      string: 'UTF8',
      int32: 'INT32',
      int64: 'INT64',
      float: 'FLOAT',
      double: 'DOUBLE',
      boolean: 'BOOLEAN',
      date: 'DATE',
      json: 'UTF8',
    } as const;
    for (const [type, parquet] of Object.entries(expected)) {
      assert.equal(parquetType({ type: type as keyof typeof expected, unit: 'millis' }), parquet);
    }
    assert.equal(parquetType({ type: 'timestamp', unit: 'millis' }), 'TIMESTAMP_MILLIS');
    assert.equal(parquetType({ type: 'timestamp', unit: 'micros' }), 'TIMESTAMP_MICROS');
  });
});
