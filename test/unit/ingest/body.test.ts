// Reading request bodies: the size limit, the in-flight budget (503 Overloaded), and that a
// refused body is drained so the next request on the same keep-alive connection is answered
// at once (leaving a `for await` loop early used to stall it until the request timeout).
import assert from 'node:assert/strict';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SluiceError } from '../../../src/errors.js';
import { InflightBudget, readBody } from '../../../src/ingest/body.js';

describe('readBody and the in-flight budget', () => {
  let server: Server;
  let port: number;
  const budget = new InflightBudget(100_000);

  before(async () => {
    server = createServer({ requestTimeout: 5000, headersTimeout: 5000 }, (req, res) => {
      const reservation = budget.open();
      res.once('close', () => reservation.release());
      readBody(req, 64 * 1024, reservation).then(
        (body) => res.end(`ok ${body.length}`),
        (error: unknown) => {
          res.statusCode = error instanceof SluiceError ? error.status : 500;
          res.end(error instanceof SluiceError ? error.code : String(error));
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(() => {
    server.close();
  });

  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const send = (body: Buffer, chunked: boolean): Promise<string> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = chunked ? {} : { 'content-length': String(body.length) };
      const req = request({ host: '127.0.0.1', port, method: 'POST', agent, headers }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve(`${res.statusCode} ${text}`));
      });
      req.on('error', reject);
      if (chunked) {
        for (let at = 0; at < body.length; at += 16 * 1024) req.write(body.subarray(at, at + 16 * 1024));
        req.end();
      } else {
        req.end(body);
      }
    });

  it('refuses an oversized body, declared or streamed, and answers the next request on the connection at once', async () => {
    const started = Date.now();
    const answers = await Promise.all([
      send(Buffer.alloc(2 * 1024 * 1024), true),
      send(Buffer.from('next'), false),
      send(Buffer.alloc(2 * 1024 * 1024), false),
      send(Buffer.from('last'), true),
    ]);
    assert.deepEqual(answers, ['413 RequestTooLarge', '200 ok 4', '413 RequestTooLarge', '200 ok 4']);
    assert.ok(Date.now() - started < 2000, `answered in ${Date.now() - started} ms, not after a timeout`);
  });

  it('refuses with 503 Overloaded once the bodies held at once pass the budget, and releases them after', async () => {
    const small = new InflightBudget(1000);
    const a = small.open();
    assert.equal(a.take(600), true);
    const b = small.open();
    assert.equal(b.take(600), false, 'past the budget');
    assert.equal(b.take(400), true);
    a.release();
    a.release(); // twice is harmless
    assert.equal(b.take(600), true);
    assert.equal(small.peak, 1000);

    // 60 KiB bodies against a 100,000-byte budget: a second one at the same time would pass it.
    const holder = budget.open();
    assert.ok(holder.take(60_000));
    try {
      assert.equal(await send(Buffer.alloc(60 * 1024, 0x61), false), '503 Overloaded');
    } finally {
      holder.release();
    }
    assert.equal(await send(Buffer.alloc(60 * 1024, 0x61), false), `200 ok ${60 * 1024}`);
    agent.destroy();
  });
});
