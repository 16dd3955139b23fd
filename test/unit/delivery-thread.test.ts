// The host side of a process's delivery thread (src/delivery-thread.ts), driven with stand-in
// thread modules (test/fixtures/delivery-thread/) that speak its messages: the real thread is
// covered by every e2e test, which all run with it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfigText } from '../../src/config/load.js';
import { DeliveryThread } from '../../src/delivery-thread.js';
import { Logger } from '../../src/telemetry/logger.js';

const fixture = (name: string) =>
  new URL(`../../../test/fixtures/delivery-thread/${name}.mjs`, import.meta.url);
const loaded = parseConfigText(
  `
redis: { url: 'redis://127.0.0.1:6379' }
auth: { mode: none }
shutdown: { timeoutSeconds: 1 }
streams:
  clicks:
    destination: { type: file, directory: /tmp/unused }
`,
  'inline.yaml',
  {},
);
const quiet = new Logger({ test: 'delivery-thread' });

describe('DeliveryThread', () => {
  it('answers with the thread metrics and stops without restarting it', async () => {
    const giveUps: Error[] = [];
    const thread = new DeliveryThread(loaded, quiet, (error) => giveUps.push(error), {
      entry: fixture('answers'),
      restartDelayMs: 10,
    });
    await thread.start();
    const metrics = await thread.metrics();
    assert.equal(metrics.length, 1);
    assert.equal(metrics[0]?.name, 'sluice_delivery_success_total');
    assert.deepEqual(metrics[0]?.values, [{ value: 7, labels: { stream: 'clicks' } }]);
    await thread.stop();
    await sleep(100);
    assert.deepEqual(await thread.metrics(), [], 'a stopped thread has no metrics and is not restarted');
    assert.deepEqual(giveUps, []);
  });

  it('refuses to start with the reason the thread gave', async () => {
    const thread = new DeliveryThread(loaded, quiet, () => undefined, { entry: fixture('refuses') });
    await assert.rejects(thread.start(), /transform t\.mjs#handler: no such file/);
  });

  it('restarts a thread that dies, and gives up when it keeps dying', async () => {
    let gaveUp: Error | undefined;
    const thread = new DeliveryThread(
      loaded,
      quiet,
      (error) => {
        gaveUp = error;
      },
      { entry: fixture('dies'), restartDelayMs: 10 },
    );
    await thread.start();
    for (let waited = 0; gaveUp === undefined && waited < 10_000; waited += 50) await sleep(50);
    assert.match(String(gaveUp?.message), /died 6 times within a minute/);
    await thread.stop();
  });
});
