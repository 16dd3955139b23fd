// What the orchestrator (run.ts) and the load generator process (loadgen.ts) say to each other.
// The options travel as one JSON argument; the loadgen writes `{"event":"ready"}` once its corpus
// is built, starts on a "start" line on stdin (so the orchestrator can take its CPU snapshots at
// that moment), and ends with one `{"event":"result",...}` line on stdout.
import type { LatencySummary } from './stats.js';

export interface LoadgenOptions {
  /** Ingest port on 127.0.0.1; the loadgen never targets another host. */
  port: number;
  stream: string;
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
  requests: { ok: number; refused: number; failed: number; late: number };
  ackedRecords: number;
  /** Record bytes acked (without newlines), as the daemon counts sluice_incoming_bytes_total. */
  ackedRecordBytes: number;
  /** Ack time of every acked request, by its marker sequence, for the end-to-end latency. */
  acks: Array<[seq: number, ackAtMs: number]>;
  /** Sequences of requests that were refused or failed: they must not show up in S3. */
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
