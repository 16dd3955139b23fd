// Runs inside a transform worker thread (piscina). Loads the user's module once per thread,
// builds Firehose's invocation event from the packed records, calls the handler, and checks
// its answer. A handler that throws or answers badly fails the invocation cleanly; one that
// hangs, exhausts its heap or calls process.exit ends only this thread (the pool replaces it).
import { Buffer } from 'node:buffer';
import { packRecords, unpackRecords } from '../../buffer/packing.js';
import { checkAnswer, InvalidAnswer } from './contract.js';
import {
  type InvokeReply,
  type InvokeTask,
  type ProbeReply,
  RESULT_OK,
  type ThreadTask,
} from './protocol.js';

type Handler = (
  event: unknown,
  context: unknown,
  callback?: (error: unknown, result?: unknown) => void,
) => unknown;

const handlers = new Map<string, Promise<Handler>>();

async function loadHandler(moduleUrl: string, name: string): Promise<Handler> {
  const key = `${moduleUrl}#${name}`;
  let found = handlers.get(key);
  if (!found) {
    found = import(moduleUrl).then((module: Record<string, unknown>) => {
      // CommonJS modules arrive as { default: module.exports } (plus detected named exports).
      const candidate = module[name] ?? (module.default as Record<string, unknown> | undefined)?.[name];
      if (typeof candidate !== 'function')
        throw new Error(`the module does not export a function named "${name}"`);
      return candidate as Handler;
    });
    handlers.set(key, found);
    found.catch(() => handlers.delete(key));
  }
  return found;
}

export default async function run(task: ThreadTask): Promise<InvokeReply | ProbeReply> {
  if (task.kind === 'probe') {
    try {
      await loadHandler(task.moduleUrl, task.handler);
      return { ok: true };
    } catch (error) {
      return { ok: false, errorMessage: messageOf(error) };
    }
  }
  return invoke(task);
}

async function invoke(task: InvokeTask): Promise<InvokeReply> {
  let handler: Handler;
  try {
    handler = await loadHandler(task.moduleUrl, task.handler);
  } catch (error) {
    return { ok: false, errorCode: 'Lambda.ModuleLoadFailed', errorMessage: messageOf(error) };
  }
  const inputs = unpackRecords(
    Buffer.from(task.records.buffer, task.records.byteOffset, task.records.byteLength),
  );
  const event = {
    invocationId: task.invocationId,
    deliveryStreamArn: task.deliveryStreamArn,
    region: task.region,
    records: inputs.map((data, i) => ({
      recordId: task.recordIds[i],
      approximateArrivalTimestamp: task.arrivals[i],
      data: data.toString('base64'),
    })),
  };
  let answer: unknown;
  try {
    answer = await callHandler(handler, event, lambdaContext(task));
  } catch (error) {
    return { ok: false, errorCode: 'Lambda.FunctionError', errorMessage: messageOf(error) };
  }
  try {
    const checked = checkAnswer(task.recordIds, answer);
    const okData: Buffer[] = [];
    checked.results.forEach((result, i) => {
      if (result === RESULT_OK) okData.push(Buffer.from(checked.data[i] as string, 'base64'));
    });
    return {
      ok: true,
      results: checked.results,
      output: packRecords(okData),
      partitionKeys: checked.partitionKeys,
      failures: checked.failures,
      warnings: checked.warnings,
    };
  } catch (error) {
    if (error instanceof InvalidAnswer) {
      return { ok: false, errorCode: 'Lambda.JsonProcessingException', errorMessage: error.message };
    }
    throw error;
  }
}

/** Supports both `async (event, context)` handlers and the older callback style. */
function callHandler(handler: Handler, event: unknown, context: unknown): Promise<unknown> {
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const settled = handler(event, context, (error, result) => (error ? reject(error) : resolve(result)));
      if (settled instanceof Promise) settled.then(resolve, reject);
    });
  }
  return Promise.resolve(handler(event, context));
}

function lambdaContext(task: InvokeTask) {
  const deadline = Date.now() + task.timeoutMs;
  return {
    functionName: task.handler,
    awsRequestId: task.invocationId,
    invokedFunctionArn: task.deliveryStreamArn,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    callbackWaitsForEmptyEventLoop: false,
  };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
