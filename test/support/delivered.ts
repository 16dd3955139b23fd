// Counts, by record ID, what landed in a bucket: data objects (NDJSON lines `{"id": ...}`) and
// error output objects (Firehose's JSON lines, whose `rawData` is the record as it was put), so
// an exactly-once check covers both places a record may end up (DESIGN.md invariant 2).
import { decompressObject } from '../e2e/helpers.js';
import type { S3TestServer } from './s3server.js';

export interface DeliveredCounts {
  /** Record ID → times found, data and error output together. */
  counts: Map<string, number>;
  objects: number;
  dataRecords: number;
  errorRecords: number;
  /** Records of the error output by its type (processing-failed, ...). */
  errorTypes: Record<string, number>;
}

function idOf(line: string): string {
  return (JSON.parse(line) as { id: string }).id;
}

export async function countDelivered(
  s3: S3TestServer,
  bucket: string,
  opts: { dataPrefix: string; errorPrefix: string },
): Promise<DeliveredCounts> {
  const result: DeliveredCounts = {
    counts: new Map(),
    objects: 0,
    dataRecords: 0,
    errorRecords: 0,
    errorTypes: {},
  };
  const add = (id: string): void => {
    result.counts.set(id, (result.counts.get(id) ?? 0) + 1);
  };
  for (const [prefix, isError] of [
    [opts.dataPrefix, false],
    [opts.errorPrefix, true],
  ] as const) {
    for (const key of await s3.listKeys(bucket, prefix)) {
      result.objects += 1;
      const text = (await decompressObject(key, await s3.getObject(bucket, key))).toString('utf8');
      for (const line of text.split('\n')) {
        if (line === '') continue;
        if (!isError) {
          add(idOf(line));
          result.dataRecords += 1;
          continue;
        }
        const failure = JSON.parse(line) as { rawData: string; errorCode: string };
        add(idOf(Buffer.from(failure.rawData, 'base64').toString('utf8')));
        result.errorRecords += 1;
        result.errorTypes[failure.errorCode] = (result.errorTypes[failure.errorCode] ?? 0) + 1;
      }
    }
  }
  return result;
}
