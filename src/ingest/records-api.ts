// Sluice's native API: POST /v1/streams/{name}/records with an NDJSON body.
// Answers 200 { count, recordIds } once Redis holds the records, else an error (errors.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SluiceError } from '../errors.js';
import { type Reservation, readBody } from './body.js';
import type { Ingestor } from './ingestor.js';
import { splitNdjson } from './ndjson.js';
import { sendJson } from './respond.js';

export interface RecordsApiLimits {
  maxRecordBytes: number;
  maxRequestBytes: number;
}

export const RECORDS_PATH = /^\/v1\/streams\/([^/]+)\/records$/;

export async function handlePutRecords(
  req: IncomingMessage,
  res: ServerResponse,
  stream: string,
  ingestor: Ingestor,
  limits: RecordsApiLimits,
  reservation?: Reservation,
): Promise<void> {
  if (!ingestor.hasStream(stream)) {
    req.resume();
    throw new SluiceError('StreamNotFound', `delivery stream "${stream}" is not configured`);
  }
  const body = await readBody(req, limits.maxRequestBytes, reservation);
  const { records, bytes } = splitNdjson(body, limits.maxRecordBytes);
  const result = await ingestor.ingest(stream, records, bytes);
  sendJson(res, 200, { count: records.length, recordIds: result.recordIds });
}
