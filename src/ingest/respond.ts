// Writing JSON answers and Sluice's error shape: { "error": { "code", "message" } }.
import type { ServerResponse } from 'node:http';
import { SluiceError } from '../errors.js';
import { BEARER_CHALLENGE } from './auth/bearer.js';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: SluiceError): void {
  const headers: Record<string, string> = {};
  if (error.code === 'BacklogFull') headers['retry-after'] = '1';
  if (error.code === 'Unauthorized') headers['www-authenticate'] = BEARER_CHALLENGE;
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, headers);
}

/** Turns anything thrown while handling a request into a SluiceError fit to send. */
export function asSluiceError(error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  return new SluiceError('BufferUnavailable', 'the records could not be stored; nothing was stored', {
    cause: error,
  });
}
