// The keys of `auth` in the form the ingest APIs check them: access keys by ID, each with its
// own SigV4 signer, and API keys by a digest compared in constant time. A caller is what a
// request proved to be: which key, and which streams that key may use.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthConfig } from '../../config/auth-schema.js';
import { KeySigner } from './signer.js';

/** Why a caller was refused: the `reason` label of sluice_auth_failures_total. */
export type AuthFailureReason =
  | 'missing' // no credentials at all
  | 'malformed' // an Authorization header that cannot be checked
  | 'unknown_key' // an access key ID or API key that is not configured
  | 'signature_mismatch' // a known key, but the signature is wrong (wrong secret, altered request)
  | 'expired' // signed more than 15 minutes away from now
  | 'stream_denied'; // a key limited to other streams

export interface Caller {
  /** The access key ID, or a placeholder for an API key (whose token is secret); undefined with mode none. */
  keyId: string | undefined;
  /** The streams the key may use; undefined for every stream. */
  streams: ReadonlySet<string> | undefined;
}

/** The caller of every request when `auth.mode` is none. */
export const ANONYMOUS: Caller = { keyId: undefined, streams: undefined };

export function mayUse(caller: Caller, stream: string): boolean {
  return caller.streams === undefined || caller.streams.has(stream);
}

export interface AccessKey extends Caller {
  keyId: string;
  /** Computes the signature this key's secret gives a request; see sigv4.ts. */
  signer: KeySigner;
}

interface ApiKey {
  digest: Buffer;
  caller: Caller;
}

export class IngestAuth {
  /** False with `auth.mode: none`: every request is then the ANONYMOUS caller. */
  readonly required: boolean;
  private readonly accessKeys = new Map<string, AccessKey>();
  private readonly apiKeys: ApiKey[] = [];

  constructor(config: AuthConfig) {
    this.required = config.mode === 'keys';
    for (const key of config.accessKeys) {
      this.accessKeys.set(key.accessKeyId, {
        keyId: key.accessKeyId,
        streams: key.streams ? new Set(key.streams) : undefined,
        signer: new KeySigner(key.accessKeyId, key.secretAccessKey),
      });
    }
    config.apiKeys.forEach((apiKey, index) => {
      this.apiKeys.push({
        digest: digest(apiKey.key),
        caller: { keyId: `apiKeys[${index}]`, streams: apiKey.streams ? new Set(apiKey.streams) : undefined },
      });
    });
  }

  accessKey(accessKeyId: string): AccessKey | undefined {
    return this.accessKeys.get(accessKeyId);
  }

  /**
   * The caller whose API key is `token`, or undefined. Tokens are compared as SHA-256 digests
   * with timingSafeEqual, against every key without stopping at a match, so neither the
   * length of a key nor how much of it a guess got right shows in the time taken.
   */
  apiKey(token: string): Caller | undefined {
    const presented = digest(token);
    let found: Caller | undefined;
    for (const key of this.apiKeys) {
      if (timingSafeEqual(key.digest, presented)) found = key.caller;
    }
    return found;
  }
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
