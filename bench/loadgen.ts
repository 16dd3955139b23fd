// The load generator, run as its own process so that its CPU is not the daemon's and its event
// loop does not stall behind the orchestrator. It POSTs pre-built NDJSON bodies (corpus.ts) to
// 127.0.0.1 over `connections` keep-alive connections, open loop or at a fixed offered rate, for
// a bounded time, and reports acks, refusals and latencies (protocol: loadgen-protocol.ts).
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { buildCorpus, markerPrefix } from './corpus.js';
import type { LoadgenMessage, LoadgenOptions, LoadgenResult } from './loadgen-protocol.js';
import { sleep, summarize } from './stats.js';

/** After a 503 (backlog full) a connection waits this long: a refusal must not become a busy loop. */
const REFUSED_PAUSE_MS = 50;
/** A fixed-rate request starting later than this after its slot counts as "late". */
const LATE_MS = 100;
const MAX_ERRORS_KEPT = 10;
/** A hard cap on requests besides the duration: far above what 2 cores can answer in a run. */
const MAX_REQUESTS = 2_000_000;

interface Answer {
  status: number;
  body: string;
}

function send(message: LoadgenMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function post(agent: Agent, options: LoadgenOptions, prefix: Buffer, rest: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: `/v1/streams/${encodeURIComponent(options.stream)}/records`,
        method: 'POST',
        agent,
        timeout: options.requestTimeoutMs,
        headers: { 'content-type': 'application/x-ndjson', 'content-length': prefix.length + rest.length },
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
    // Two writes, no concatenation: the marker replaces the shared body's first byte.
    req.write(prefix);
    req.end(rest);
  });
}

async function run(options: LoadgenOptions): Promise<LoadgenResult> {
  const corpus = buildCorpus(options.seed, options.bodyCount, options.recordsPerBody);
  send({ event: 'ready' });
  await waitForStartLine();

  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const service: number[] = [];
  const acks: Array<[number, number]> = [];
  const notAcked: number[] = [];
  const errors: string[] = [];
  const requests = { ok: 0, refused: 0, failed: 0, late: 0 };
  let ackedRecords = 0;
  let ackedRecordBytes = 0;
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
      const rest = corpus.bodies[seq % corpus.bodies.length] as Buffer;
      const prefix = markerPrefix(seq);
      const sentAt = performance.now();
      try {
        const answer = await post(agent, options, prefix, rest);
        const doneAt = performance.now();
        if (answer.status === 200) {
          const count = Number(/"count":(\d+)/.exec(answer.body)?.[1] ?? Number.NaN);
          if (count !== options.recordsPerBody)
            throw new Error(`200 with count ${count}: ${answer.body.slice(0, 200)}`);
          requests.ok += 1;
          ackedRecords += count;
          ackedRecordBytes += prefix.length + rest.length - options.recordsPerBody;
          acks.push([seq, startedAtMs + (doneAt - t0)]);
          latencies.push(doneAt - scheduled);
          service.push(doneAt - sentAt);
        } else if (answer.status === 503) {
          requests.refused += 1;
          notAcked.push(seq);
          await sleep(REFUSED_PAUSE_MS);
        } else {
          throw new Error(`HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
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
