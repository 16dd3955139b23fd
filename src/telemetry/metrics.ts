// Every Prometheus metric Sluice exports, named after Firehose's CloudWatch metrics
// (IncomingRecords → sluice_incoming_records_total, DeliveryToS3.DataFreshness →
// sluice_delivery_data_freshness_seconds). Labels are bounded: stream, destination type,
// trigger, reason. Counters move once per request or per batch, never per record.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BufferStats } from '../buffer/stream-buffer.js';

export type StatsSource = () => Promise<Map<string, BufferStats>>;

export class Metrics {
  readonly registry = new Registry();

  readonly incomingRecords = new Counter({
    name: 'sluice_incoming_records_total',
    help: 'Records accepted (acked) by ingest.',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });
  readonly incomingBytes = new Counter({
    name: 'sluice_incoming_bytes_total',
    help: 'Bytes of records accepted (acked) by ingest.',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });
  readonly incomingRequests = new Counter({
    name: 'sluice_incoming_put_requests_total',
    help: 'Ingest requests that stored records.',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });
  readonly rejectedRecords = new Counter({
    name: 'sluice_rejected_records_total',
    help: "Records refused by ingest, by error code (BacklogFull is Firehose's ThrottledRecords).",
    labelNames: ['stream', 'code'] as const,
    registers: [this.registry],
  });
  readonly ingestLatency = new Histogram({
    name: 'sluice_ingest_request_duration_seconds',
    help: 'Time from the end of a request body to its answer (including the Redis write).',
    labelNames: ['stream'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly batchesCut = new Counter({
    name: 'sluice_batches_cut_total',
    help: 'Batches closed by the cutter, by trigger (size or time).',
    labelNames: ['stream', 'trigger'] as const,
    registers: [this.registry],
  });
  readonly deliverySuccess = new Counter({
    name: 'sluice_delivery_success_total',
    help: 'Batches delivered to their destination.',
    labelNames: ['stream', 'destination'] as const,
    registers: [this.registry],
  });
  readonly deliveryRecords = new Counter({
    name: 'sluice_delivery_records_total',
    help: 'Records delivered to their destination.',
    labelNames: ['stream', 'destination'] as const,
    registers: [this.registry],
  });
  readonly deliveryBytes = new Counter({
    name: 'sluice_delivery_bytes_total',
    help: 'Bytes of records delivered, before encoding and compression.',
    labelNames: ['stream', 'destination'] as const,
    registers: [this.registry],
  });
  readonly deliveryObjectBytes = new Counter({
    name: 'sluice_delivery_object_bytes_total',
    help: 'Bytes written to the destination, after encoding and compression.',
    labelNames: ['stream', 'destination'] as const,
    registers: [this.registry],
  });
  readonly deliveryFailures = new Counter({
    name: 'sluice_delivery_failures_total',
    help: 'Failed delivery attempts (each is retried), by reason.',
    labelNames: ['stream', 'destination', 'reason'] as const,
    registers: [this.registry],
  });
  readonly deliveryDuration = new Histogram({
    name: 'sluice_delivery_duration_seconds',
    help: 'Time to read, encode, compress and deliver one batch.',
    labelNames: ['stream', 'destination'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly transformInvocations = new Counter({
    name: 'sluice_transform_invocations_total',
    help: "Transform invocations, by outcome: ok, or the failure's error code (each failure is retried).",
    labelNames: ['stream', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly transformDuration = new Histogram({
    name: 'sluice_transform_duration_seconds',
    help: 'Duration of one transform invocation, including the trip to its thread (ExecuteProcessing.Duration).',
    labelNames: ['stream'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60],
    registers: [this.registry],
  });
  readonly transformRecords = new Counter({
    name: 'sluice_transform_records_total',
    help: 'Records out of the transform, by result: Ok, Dropped, ProcessingFailed.',
    labelNames: ['stream', 'result'] as const,
    registers: [this.registry],
  });

  readonly errorOutputRecords = new Counter({
    name: 'sluice_error_output_records_total',
    help: 'Records written to the error output, by error output type (processing-failed, ...).',
    labelNames: ['stream', 'type'] as const,
    registers: [this.registry],
  });

  // The Firehose API's own metrics (PutRecord.Requests, PutRecordBatch.Records, .Bytes,
  // .Latency, DescribeDeliveryStream.Requests, ...): one series per operation, counted once per
  // request. `stream` is empty for ListDeliveryStreams and for names that are not configured,
  // so the label stays bounded by the config.
  readonly apiRequests = new Counter({
    name: 'sluice_api_requests_total',
    help: 'Firehose API requests, by operation (PutRecord, PutRecordBatch, DescribeDeliveryStream, ListDeliveryStreams, unknown).',
    labelNames: ['operation', 'stream'] as const,
    registers: [this.registry],
  });
  readonly apiRecords = new Counter({
    name: 'sluice_api_records_total',
    help: 'Records in valid PutRecord and PutRecordBatch requests (PutRecordBatch.Records), stored or not.',
    labelNames: ['operation', 'stream'] as const,
    registers: [this.registry],
  });
  readonly apiBytes = new Counter({
    name: 'sluice_api_bytes_total',
    help: 'Decoded record bytes in valid PutRecord and PutRecordBatch requests (PutRecord.Bytes).',
    labelNames: ['operation', 'stream'] as const,
    registers: [this.registry],
  });
  readonly apiLatency = new Histogram({
    name: 'sluice_api_request_duration_seconds',
    help: 'Time from a Firehose API request arriving to its answer (PutRecordBatch.Latency, ...).',
    labelNames: ['operation', 'stream'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly apiErrors = new Counter({
    name: 'sluice_api_errors_total',
    help: 'Firehose API requests answered with an error, by operation and error type (__type).',
    labelNames: ['operation', 'type'] as const,
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'sluice_auth_failures_total',
    help: 'Requests refused by authentication, by API (firehose, records) and reason (missing, malformed, unknown_key, signature_mismatch, expired, stream_denied).',
    labelNames: ['api', 'reason'] as const,
    registers: [this.registry],
  });

  readonly partitionsPerBatch = new Histogram({
    name: 'sluice_partitions_per_batch',
    help: 'Partitions (objects) written per batch of a partitioned stream (Firehose PartitionCount).',
    labelNames: ['stream'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000],
    registers: [this.registry],
  });

  /**
   * `stats`: the Redis-read gauges' source, or undefined in a process's delivery thread, whose
   * host reports them (and the process metrics) once for both threads.
   */
  constructor(stats: StatsSource | undefined) {
    if (stats === undefined) return;
    collectDefaultMetrics({ register: this.registry, prefix: 'sluice_process_' });
    // Backlog and freshness are read from Redis at scrape time, so every process reports the
    // shared truth rather than what it alone saw.
    // The first gauge registered refreshes all three: prom-client collects in registration order.
    new Gauge({
      name: 'sluice_backlog_bytes',
      // Every process of a cluster reads the same value from Redis: aggregate by max, not sum.
      aggregator: 'max',
      help: 'Bytes of records in Redis not yet delivered (pending plus open batches).',
      labelNames: ['stream'] as const,
      registers: [this.registry],
      async collect() {
        const now = Date.now();
        for (const [stream, s] of await stats()) {
          this.set({ stream }, s.backlogBytes);
          openBatches.set({ stream }, s.openBatches);
          const age =
            s.oldestUndeliveredMs === undefined ? 0 : Math.max(0, now - s.oldestUndeliveredMs) / 1000;
          freshness.set({ stream }, age);
        }
      },
    });
    const openBatches: Gauge<'stream'> = new Gauge({
      name: 'sluice_open_batches',
      // Every process of a cluster reads the same value from Redis: aggregate by max, not sum.
      aggregator: 'max',
      help: 'Batches cut but not yet delivered.',
      labelNames: ['stream'] as const,
      registers: [this.registry],
    });
    const freshness: Gauge<'stream'> = new Gauge({
      name: 'sluice_delivery_data_freshness_seconds',
      // Every process of a cluster reads the same value from Redis: aggregate by max, not sum.
      aggregator: 'max',
      help: 'Age of the oldest record not yet delivered (0 when nothing waits).',
      labelNames: ['stream'] as const,
      registers: [this.registry],
    });
  }
}
