// Well-behaved producers for tests that break things under load: they put numbered JSON
// records through the NDJSON API and the Firehose API (@aws-sdk/client-firehose, PutRecordBatch
// and PutRecord), spread over the ingest nodes given, and resend only what failed, on another
// node, with backoff. Every attempt's outcome goes into a Ledger (ledger.ts): acked, refused
// ("not stored", per the documented answers) or unknown (no answer, or "may be stored").
import { FirehoseClient, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import type { Ledger } from './ledger.js';
import type { Random } from './random.js';

export type Outcome = 'acked' | 'refused' | 'unknown';

export interface ProducerOptions {
  stream: string;
  /** Ports of the ingest nodes; read at every attempt, so nodes may come and go. */
  ports: () => readonly number[];
  ledger: Ledger;
  random: Random;
  /** Records in all; the producers stop once each is acked or given up. */
  total: number;
  /** Producer loops per API. */
  concurrency: number;
  /** Attempts per record before it is given up (it then counts as never acked). */
  maxAttempts?: number;
  /** Bytes of padding per record, drawn between these. */
  padBytes?: [number, number];
  /** Records per request, drawn between these (PutRecord: 1). */
  recordsPerRequest?: [number, number];
  /** New records per second at most, over all loops (retries are not held back). */
  ratePerSecond?: number;
}

export interface ProducerStats {
  requests: number;
  byOutcome: Record<Outcome, number>;
  /** Answers by code (error code, `__type`, network error code), for the report. */
  codes: Record<string, number>;
  gaveUp: number;
}

export function recordLine(id: string, pad: number): string {
  return JSON.stringify({ id, pad: 'x'.repeat(pad) });
}

/** Classifies a failed fetch: a refused connection stored nothing; anything else may have. */
function networkOutcome(error: unknown): { outcome: Outcome; code: string } {
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code ?? (error as Error).name;
  return { outcome: code === 'ECONNREFUSED' ? 'refused' : 'unknown', code };
}

const MAYBE_STORED = new Set(['OutcomeUnknown', 'NotReplicated']);

export async function putNdjsonRecords(
  port: number,
  stream: string,
  lines: string[],
): Promise<{ outcome: Outcome; code: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1/streams/${stream}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: lines.join('\n'),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as { count?: number; error?: { code: string } };
    if (res.status === 200 && body.count === lines.length) return { outcome: 'acked', code: '200' };
    const code = body.error?.code ?? String(res.status);
    if (MAYBE_STORED.has(code) || (res.status >= 500 && res.status !== 503))
      return { outcome: 'unknown', code };
    return { outcome: 'refused', code };
  } catch (error) {
    return networkOutcome(error);
  }
}

/** The outcome of a Firehose SDK call that threw. */
function firehoseFailure(error: unknown): { outcome: Outcome; code: string } {
  const e = error as Error & { $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return networkOutcome(error);
  if (e.name === 'ServiceUnavailableException') {
    return { outcome: /may have been stored/.test(e.message) ? 'unknown' : 'refused', code: e.name };
  }
  return { outcome: status >= 500 ? 'unknown' : 'refused', code: e.name };
}

export class Producers {
  readonly stats: ProducerStats = {
    requests: 0,
    byOutcome: { acked: 0, refused: 0, unknown: 0 },
    codes: {},
    gaveUp: 0,
  };
  private next = 0;
  private started = 0;
  private readonly clients = new Map<number, FirehoseClient>();

  constructor(private readonly options: ProducerOptions) {}

  /** Resolves once every record is acked or given up. */
  async run(): Promise<void> {
    this.started = Date.now();
    const loops: Promise<void>[] = [];
    for (let i = 0; i < this.options.concurrency; i += 1) {
      loops.push(this.loop('ndjson', i), this.loop('firehose', i));
    }
    await Promise.all(loops);
    for (const client of this.clients.values()) client.destroy();
  }

  private count(outcome: Outcome, code: string): void {
    this.stats.requests += 1;
    this.stats.byOutcome[outcome] += 1;
    this.stats.codes[code] = (this.stats.codes[code] ?? 0) + 1;
  }

  private async loop(api: 'ndjson' | 'firehose', index: number): Promise<void> {
    const { random, total, padBytes = [50, 300], recordsPerRequest = [20, 200] } = this.options;
    while (this.next < total) {
      const single = api === 'firehose' && random.chance(0.1);
      const size = single ? 1 : Math.min(random.int(...recordsPerRequest), total - this.next);
      const first = this.next;
      this.next += size;
      const rate = this.options.ratePerSecond;
      const due = rate ? this.started + (first / rate) * 1000 : 0;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      const lines = Array.from({ length: size }, (_, i) => {
        const id = `${api === 'ndjson' ? 'n' : 'f'}${index}-${first + i}`;
        return { id, line: recordLine(id, random.int(padBytes[0], padBytes[1])) };
      });
      await this.deliver(api, single, lines);
    }
  }

  /** Puts `lines` until all are acked or attempts run out, resending only the failed ones. */
  private async deliver(
    api: 'ndjson' | 'firehose',
    single: boolean,
    pending: { id: string; line: string }[],
  ) {
    const { random, maxAttempts = 40 } = this.options;
    let backoffMs = 100;
    for (let attempt = 0; attempt < maxAttempts && pending.length > 0; attempt += 1) {
      const ports = this.options.ports();
      const port = ports[random.int(0, ports.length - 1)] as number;
      const ids = pending.map((p) => p.id);
      const failed = new Set<string>();
      if (api === 'ndjson') {
        const { outcome, code } = await putNdjsonRecords(
          port,
          this.options.stream,
          pending.map((p) => p.line),
        );
        this.count(outcome, code);
        this.record(outcome, ids);
        if (outcome !== 'acked') for (const id of ids) failed.add(id);
      } else {
        for (const id of await this.putFirehose(port, single, pending)) failed.add(id);
      }
      pending = pending.filter((p) => failed.has(p.id));
      if (pending.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, backoffMs * (0.5 + random.next())));
        backoffMs = Math.min(backoffMs * 2, 2000);
      }
    }
    this.stats.gaveUp += pending.length;
  }

  private record(outcome: Outcome, ids: string[]): void {
    if (outcome === 'acked') this.options.ledger.acked(ids);
    else if (outcome === 'refused') this.options.ledger.refused(ids);
    else this.options.ledger.unknown(ids);
  }

  /** One Firehose call; returns the IDs that failed. */
  private async putFirehose(port: number, single: boolean, records: { id: string; line: string }[]) {
    let client = this.clients.get(port);
    if (!client) {
      client = new FirehoseClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'chaos', secretAccessKey: 'chaos-secret-0123456789' },
        maxAttempts: 1, // every attempt is seen, and resent here
        requestHandler: { requestTimeout: 30_000, connectionTimeout: 5_000 },
      });
      this.clients.set(port, client);
    }
    const ids = records.map((r) => r.id);
    const data = records.map((r) => ({ Data: Buffer.from(`${r.line}\n`) }));
    try {
      if (single) {
        await client.send(new PutRecordCommand({ DeliveryStreamName: this.options.stream, Record: data[0] }));
        this.count('acked', '200');
        this.record('acked', ids);
        return [];
      }
      const answer = await client.send(
        new PutRecordBatchCommand({ DeliveryStreamName: this.options.stream, Records: data }),
      );
      const failed: string[] = [];
      const acked: string[] = [];
      (answer.RequestResponses ?? []).forEach((response, i) => {
        if (response.ErrorCode) failed.push(ids[i] as string);
        else acked.push(ids[i] as string);
      });
      if ((answer.RequestResponses?.length ?? 0) !== ids.length)
        throw new Error('RequestResponses do not match the records');
      this.count(failed.length === 0 ? 'acked' : 'refused', failed.length === 0 ? '200' : 'FailedPutCount');
      this.record('acked', acked);
      this.record('refused', failed); // Firehose's per-record failures are throttling: nothing stored
      return failed;
    } catch (error) {
      const { outcome, code } = firehoseFailure(error);
      this.count(outcome, code);
      this.record(outcome, ids);
      return ids;
    }
  }
}
