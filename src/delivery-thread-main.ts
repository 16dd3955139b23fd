// The delivery thread of a Sluice process (see delivery-thread.ts): a Daemon with the worker
// role, started on the host's config, answering the host's metrics requests and its stop.
import { parentPort, workerData } from 'node:worker_threads';
import { Daemon } from './daemon.js';
import type { DeliveryThreadData, HostMessage, ThreadMessage } from './delivery-thread.js';
import { Logger } from './telemetry/logger.js';

const port = parentPort;
if (!port) throw new Error('delivery-thread-main.js runs only as a worker thread');
const data = workerData as DeliveryThreadData;
const log = new Logger({ ...data.logFields, thread: 'delivery' });
const daemon = new Daemon(
  data.loaded,
  { roles: new Set(['worker']), admin: false, announce: false, isDeliveryThread: true },
  log,
);
const post = (message: ThreadMessage): void => port.postMessage(message);

port.on('message', (message: HostMessage) => {
  if (message.type === 'metrics') {
    daemon.metricsRegistry.getMetricsAsJSON().then(
      (metrics) => post({ type: 'metrics', id: message.id, metrics }),
      (error: unknown) => {
        log.warn('Could not collect the delivery metrics.', { error });
        post({ type: 'metrics', id: message.id, metrics: [] });
      },
    );
  } else {
    daemon.stop().then(
      () => process.exit(0), // in a worker thread, ends the thread only
      (error: unknown) => {
        log.error('Stop failed.', { error });
        process.exit(1);
      },
    );
  }
});

try {
  await daemon.start();
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'failed', message: (error as Error).message });
  await daemon.stop().catch(() => undefined);
  process.exit(1);
}
