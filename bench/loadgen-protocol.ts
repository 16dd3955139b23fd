// What the orchestrator (run.ts) and the load generator process (loadgen.ts) say to each other.
// The options travel as one JSON argument; the loadgen writes `{"event":"ready"}` once its corpus
// is built, starts on a "start" line on stdin (so the orchestrator can take its CPU snapshots at
// that moment), and ends with one `{"event":"result",...}` line on stdout.
import type { Api, RecordShape } from './corpus.js';
import type { LatencySummary } from './stats.js';

/**
 * How requests authenticate. `none`: unsigned (the daemon runs `auth: { mode: none }`).
 * `keys`: Firehose requests are signed with SigV4 (@smithy/signature-v4, per request, as an SDK
 * client does) with this access key; NDJSON requests carry it as `Authorization: Bearer`.
 */
export type LoadgenAuth =
  | { mode: 'none' }
  | { mode: 'keys'; accessKeyId: string; secretAccessKey: string; region: string; apiKey: string };

export interface LoadgenOptions {
  /** Ingest port on 127.0.0.1; the loadgen never targets another host. */
  port: number;
  stream: string;
  /** ndjson: `POST /v1/streams/{stream}/records`; firehose: PutRecordBatch on `POST /`. */
  api: Api;
  auth: LoadgenAuth;
  shape: RecordShape;
  durationMs: number;
  connections: number;
  /** Offered records/s; absent means open loop (each connection sends back to back). */
  rate?: number;
  seed: number;
  bodyCount: number;
  recordsPerBody: number;
  requestTimeoutMs: number;
}

export interface LoadgenResult {
  event: 'result';
  /** Epoch milliseconds (same clock as the orchestrator: one machine). */
  startedAtMs: number;
  /** When the last answer arrived. */
  endedAtMs: number;
  /**
   * ok: every record acked. refused: 503 (backlog full), or a PutRecordBatch answered 200 with
   * FailedPutCount equal to its record count. partial: a PutRecordBatch answered 200 with some
   * records failed (Sluice stores a batch whole, so this should not happen; counted apart).
   */
  requests: { ok: number; refused: number; failed: number; late: number; partial: number };
  ackedRecords: number;
  /** Records the daemon answered as not stored (503, or FailedPutCount > 0). */
  refusedRecords: number;
  /** Request body bytes (on the wire) of the fully acked requests. */
  ackedRequestBytes: number;
  /** Record bytes acked (without newlines), as the daemon counts sluice_incoming_bytes_total. */
  ackedRecordBytes: number;
  /** Ack time of every acked request, by its marker sequence, for the end-to-end latency. */
  acks: Array<[seq: number, ackAtMs: number]>;
  /**
   * Sequences of requests that were refused or failed: they must not show up in S3. (A partial
   * PutRecordBatch whose first record, the one with the marker, failed is listed here too.)
   */
  notAcked: number[];
  /**
   * Ingest latency. Open loop: request sent → answer. Fixed rate: the request's scheduled
   * start → answer, so a saturated server is not hidden by the client waiting for it
   * (coordinated omission).
   */
  latencyMs: LatencySummary;
  /** Time from the actual send to the answer, for comparison with latencyMs at a fixed rate. */
  serviceMs: LatencySummary;
  cpuSeconds: number;
  averageRecordBytes: number;
  errors: string[];
}

export type LoadgenMessage = { event: 'ready' } | LoadgenResult;
