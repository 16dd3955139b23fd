// Answers what Node's HTTP parser refuses before a request exists: a request line or headers
// that are not HTTP (400 MalformedRequest), headers over Node's 16 KiB (431 HeadersTooLarge),
// and clients too slow to send their headers or their whole request (408 RequestTimeout).
// Node would answer these with a bare status line; Sluice answers in its JSON error shape, with
// the code also in `x-amzn-ErrorType` so an AWS SDK names the error, and closes the connection.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ErrorCode, errorCodes } from '../errors.js';

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  MalformedRequest: 'the request is not valid HTTP/1.1',
  HeadersTooLarge: 'the request line and headers exceed 16 KiB',
  RequestTimeout:
    'the request did not arrive in time (ingest.headersTimeoutSeconds, ingest.requestTimeoutSeconds); nothing was stored',
};

export function clientErrorCode(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'RequestTimeout';
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'HeadersTooLarge';
  return 'MalformedRequest';
}

export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset, or a socket with an answer already under way, has no room for another answer.
  const busy = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (error.code === 'ECONNRESET' || !socket.writable || busy) {
    socket.destroy();
    return;
  }
  const code = clientErrorCode(error);
  const { status } = errorCodes[code];
  const body = JSON.stringify({ error: { code, message: MESSAGES[code] } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'content-type: application/json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-amzn-errortype: ${code}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
  // end() flushes and half-closes; a client that never reads must not keep the socket alive.
  setTimeout(() => socket.destroy(), 1000).unref();
}
