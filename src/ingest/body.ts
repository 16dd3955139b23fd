// Reads a request body into one buffer, refusing it as soon as it passes the size limit so an
// oversized upload is never held in memory whole.
import type { IncomingMessage } from 'node:http';
import { SluiceError } from '../errors.js';

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new SluiceError(
      'RequestTooLarge',
      `request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`,
    );
  }
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      req.resume(); // drain the rest so the connection can answer
      throw new SluiceError('RequestTooLarge', `request body exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
}
