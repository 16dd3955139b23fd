// The load generator, run as its own process so that its CPU is not the daemon's and its event
// loop does not stall behind the orchestrator. It sends pre-built bodies (corpus.ts) to
// 127.0.0.1 over `connections` keep-alive connections, open loop or at a fixed offered rate, for
// a bounded time, and reports acks, refusals and latencies (protocol: loadgen-protocol.ts).
// Two APIs: Firehose PutRecordBatch (AWS JSON 1.1 on `POST /`, optionally SigV4-signed per
// request) and Sluice's native NDJSON (`POST /v1/streams/{name}/records`).
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Agent, type OutgoingHttpHeaders, request } from 'node:http';
import { createInterface } from 'node:readline';
import { SignatureV4 } from '@smithy/signature-v4';
import { buildCorpus, type RequestBody, requestBody } from './corpus.js';
import type { LoadgenMessage, LoadgenOptions, LoadgenResult } from './loadgen-protocol.js';
import { sleep, summarize } from './stats.js';

/** After a 503 (backlog full) a connection waits this long: a refusal must not become a busy loop. */
const REFUSED_PAUSE_MS = 50;
/** A fixed-rate request starting later than this after its slot counts as "late". */
const LATE_MS = 100;
const MAX_ERRORS_KEPT = 10;
/** A hard cap on requests besides the duration: far above what 2 cores can answer in a run. */
const MAX_REQUESTS = 2_000_000;
const JSON_11 = 'application/x-amz-json-1.1';
const PUT_RECORD_BATCH = 'Firehose_20150804.PutRecordBatch';

interface Answer {
  status: number;
  body: string;
}

/** What a request's answer means for its records. */
interface Outcome {
  /** Records stored (acked). */
  acked: number;
  /** Record bytes of the acked records. */
  ackedBytes: number;
  /** Records the daemon answered as not stored (backlog full). */
  refused: number;
  /** Whether the request's marker record (its first) was stored. */
  markerAcked: boolean;
}

function send(message: LoadgenMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** SHA-256 / HMAC-SHA256 from node:crypto in the shape @smithy/signature-v4 takes. */
class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    if (typeof data === 'string') this.hash.update(data);
    else if (ArrayBuffer.isView(data))
      this.hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else this.hash.update(new Uint8Array(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key =
      typeof this.secret === 'string'
        ? this.secret
        : ArrayBuffer.isView(this.secret)
          ? new Uint8Array(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
          : new Uint8Array(this.secret);
    return createHmac('sha256', key);
  }
}

/** Builds the path and headers of a request; with auth keys, signs it (Firehose) or adds the token. */
type Prepare = (
  body: RequestBody,
) => Promise<{ path: string; headers: OutgoingHttpHeaders; chunks: Buffer[] }>;

function preparer(options: LoadgenOptions): Prepare {
  const { auth } = options;
  if (options.api === 'ndjson') {
    const path = `/v1/streams/${encodeURIComponent(options.stream)}/records`;
    const authorization = auth.mode === 'keys' ? { authorization: `Bearer ${auth.apiKey}` } : {};
    return async (body) => ({
      path,
      headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length, ...authorization },
      chunks: body.chunks,
    });
  }
  if (auth.mode === 'none') {
    return async (body) => ({
      path: '/',
      headers: { 'content-type': JSON_11, 'x-amz-target': PUT_RECORD_BATCH, 'content-length': body.length },
      chunks: body.chunks,
    });
  }
  // As an AWS SDK client does: every request is signed, over its whole body (so the body is one
  // buffer here: the signer hashes it, and the client pays for that, not the daemon).
  const signer = new SignatureV4({
    service: 'firehose',
    region: auth.region,
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: auth.secretAccessKey },
    sha256: NodeSha256,
  });
  const host = `127.0.0.1:${options.port}`;
  return async (body) => {
    const whole = Buffer.concat(body.chunks, body.length);
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: options.port,
      path: '/',
      query: {},
      headers: {
        host,
        'content-type': JSON_11,
        'x-amz-target': PUT_RECORD_BATCH,
        'content-length': String(body.length),
      },
      body: whole,
    });
    return { path: '/', headers: signed.headers, chunks: [whole] };
  };
}

function post(
  agent: Agent,
  options: LoadgenOptions,
  path: string,
  headers: OutgoingHttpHeaders,
  chunks: readonly Buffer[],
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        path,
        method: 'POST',
        agent,
        timeout: options.requestTimeoutMs,
        headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.requestTimeoutMs} ms`)));
    req.on('error', reject);
    // One write per chunk, no concatenation: the bodies are shared, only the marker is new.
    for (let i = 0; i < chunks.length - 1; i += 1) req.write(chunks[i]);
    req.end(chunks[chunks.length - 1]);
  });
}

/** The meaning of an answer; throws on anything that is neither an ack nor a refusal. */
function outcome(options: LoadgenOptions, body: RequestBody, answer: Answer): Outcome {
  const records = options.recordsPerBody;
  const refused: Outcome = { acked: 0, ackedBytes: 0, refused: records, markerAcked: false };
  if (answer.status === 503) return refused;
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
  if (options.api === 'ndjson') {
    const count = Number(/"count":(\d+)/.exec(answer.body)?.[1] ?? Number.NaN);
    if (count !== records) throw new Error(`200 with count ${count}: ${answer.body.slice(0, 200)}`);
    return { acked: count, ackedBytes: body.recordBytes, refused: 0, markerAcked: true };
  }
  // PutRecordBatch: 200 with FailedPutCount and one entry per record, in request order.
  const failed = Number(/"FailedPutCount":(\d+)/.exec(answer.body)?.[1] ?? Number.NaN);
  if (failed === 0) {
    const ids = countOf(answer.body, '"RecordId"');
    if (ids !== records) throw new Error(`FailedPutCount 0 with ${ids} RecordIds for ${records} records`);
    return { acked: records, ackedBytes: body.recordBytes, refused: 0, markerAcked: true };
  }
  if (failed === records) return refused;
  if (!(failed > 0 && failed < records))
    throw new Error(`200 without a valid FailedPutCount: ${answer.body.slice(0, 200)}`);
  // Partly failed: count exactly which records were stored.
  const entries = (JSON.parse(answer.body) as { RequestResponses: Array<{ ErrorCode?: string }> })
    .RequestResponses;
  let acked = 0;
  let ackedBytes = 0;
  entries.forEach((entry, index) => {
    if (entry.ErrorCode !== undefined) return;
    acked += 1;
    ackedBytes += (body.body.recordLengths[index] ?? 0) + (index === 0 ? body.marker.length : 0);
  });
  return { acked, ackedBytes, refused: records - acked, markerAcked: entries[0]?.ErrorCode === undefined };
}

function countOf(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count += 1;
  return count;
}

async function run(options: LoadgenOptions): Promise<LoadgenResult> {
  const corpus = buildCorpus({
    seed: options.seed,
    bodyCount: options.bodyCount,
    recordsPerBody: options.recordsPerBody,
    api: options.api,
    shape: options.shape,
    stream: options.stream,
  });
  const prepare = preparer(options);
  // One request through the signer before the start: its first call loads and warms up code.
  await prepare(requestBody(corpus, 0));
  send({ event: 'ready' });
  await waitForStartLine();

  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const service: number[] = [];
  const acks: Array<[number, number]> = [];
  const notAcked: number[] = [];
  const errors: string[] = [];
  const requests = { ok: 0, refused: 0, failed: 0, late: 0, partial: 0 };
  let ackedRecords = 0;
  let ackedRecordBytes = 0;
  let ackedRequestBytes = 0;
  let refusedRecords = 0;
  let nextSeq = 0;
  const cpuStart = process.cpuUsage();
  const startedAtMs = Date.now();
  const t0 = performance.now();
  const slotMs = options.rate === undefined ? 0 : (1000 * options.recordsPerBody) / options.rate;

  const connection = async (): Promise<void> => {
    for (;;) {
      const seq = nextSeq;
      // Fixed rate: request `seq` belongs to the slot t0 + seq × slotMs; open loop: now.
      const scheduled = options.rate === undefined ? performance.now() : t0 + seq * slotMs;
      if (scheduled - t0 >= options.durationMs || seq >= MAX_REQUESTS) return;
      nextSeq += 1;
      const wait = scheduled - performance.now();
      if (wait > 0) await sleep(wait);
      else if (options.rate !== undefined && -wait > LATE_MS) requests.late += 1;
      try {
        const body = requestBody(corpus, seq);
        const { path, headers, chunks } = await prepare(body);
        // Sent once signed: open-loop latency is the daemon's, not the client's signing.
        const sentAt = performance.now();
        const answer = await post(agent, options, path, headers, chunks);
        const doneAt = performance.now();
        const result = outcome(options, body, answer);
        ackedRecords += result.acked;
        ackedRecordBytes += result.ackedBytes;
        refusedRecords += result.refused;
        if (result.markerAcked) acks.push([seq, startedAtMs + (doneAt - t0)]);
        else notAcked.push(seq);
        if (result.refused === 0) {
          requests.ok += 1;
          ackedRequestBytes += body.length;
          latencies.push(doneAt - (options.rate === undefined ? sentAt : scheduled));
          service.push(doneAt - sentAt);
        } else if (result.acked === 0) {
          requests.refused += 1;
          await sleep(REFUSED_PAUSE_MS);
        } else {
          requests.partial += 1;
          await sleep(REFUSED_PAUSE_MS);
        }
      } catch (error) {
        requests.failed += 1;
        notAcked.push(seq);
        if (errors.length < MAX_ERRORS_KEPT) errors.push((error as Error).message);
        await sleep(REFUSED_PAUSE_MS);
      }
    }
  };

  await Promise.all(Array.from({ length: options.connections }, () => connection()));
  const endedAtMs = startedAtMs + (performance.now() - t0);
  agent.destroy();
  const cpu = process.cpuUsage(cpuStart);
  return {
    event: 'result',
    startedAtMs,
    endedAtMs,
    requests,
    ackedRecords,
    ackedRecordBytes,
    refusedRecords,
    ackedRequestBytes,
    acks,
    notAcked,
    latencyMs: summarize(latencies),
    serviceMs: summarize(service),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    averageRecordBytes: corpus.averageRecordBytes,
    errors,
  };
}

function waitForStartLine(): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (line.trim() === 'start') {
        resolve(); // before close(): its 'close' event would otherwise reject first
        lines.close();
      }
    });
    // The orchestrator closing our stdin before "start" means it gave up: exit quietly.
    lines.on('close', () => reject(new Error('stdin closed before "start"')));
  });
}

const options = JSON.parse(process.argv[2] ?? '{}') as LoadgenOptions;
run(options).then(
  (result) => {
    send(result);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`loadgen: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
