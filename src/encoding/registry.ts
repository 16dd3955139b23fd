// Encoders by the name used in the config's `format.type`. Adding one touches only this table.

import { ndjsonEncoder } from './ndjson.js';
import type { Encoder } from './types.js';

const encoders: Record<string, Encoder> = {
  ndjson: ndjsonEncoder,
};

export function encoderFor(type: string): Encoder {
  const encoder = encoders[type];
  if (!encoder) throw new Error(`no encoder for format "${type}"`);
  return encoder;
}
