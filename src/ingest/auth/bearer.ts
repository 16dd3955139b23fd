// Authentication of the native NDJSON API: `Authorization: Bearer <key>` with a key from
// auth.apiKeys (RFC 6750's header form). Failures are Sluice errors: 401 Unauthorized (with a
// WWW-Authenticate challenge) when no valid key is presented, 403 AccessDenied when the key may
// only use other streams. A key limited to other streams learns nothing about whether the
// stream it asked for exists: the 403 comes before the stream is looked up.
import { SluiceError } from '../../errors.js';
import { ANONYMOUS, type AuthFailureReason, type Caller, type IngestAuth, mayUse } from './keys.js';

export type BearerOutcome = { caller: Caller } | { failure: AuthFailureReason; error: SluiceError };

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export function authenticateBearer(
  auth: IngestAuth,
  authorization: string | undefined,
  stream: string,
): BearerOutcome {
  if (!auth.required) return { caller: ANONYMOUS };
  if (authorization === undefined) {
    return {
      failure: 'missing',
      error: new SluiceError('Unauthorized', 'this endpoint needs an `Authorization: Bearer <key>` header'),
    };
  }
  const token = BEARER.exec(authorization)?.[1];
  if (token === undefined) {
    return {
      failure: 'malformed',
      error: new SluiceError('Unauthorized', 'the Authorization header must be `Bearer <key>`'),
    };
  }
  const caller = auth.apiKey(token);
  if (caller === undefined) {
    return { failure: 'unknown_key', error: new SluiceError('Unauthorized', 'the API key is not valid') };
  }
  if (!mayUse(caller, stream)) {
    return {
      failure: 'stream_denied',
      error: new SluiceError(
        'AccessDenied',
        `this API key may not put records to delivery stream "${stream}"`,
      ),
    };
  }
  return { caller };
}

/** The challenge sent with every 401, as RFC 6750 section 3 asks. */
export const BEARER_CHALLENGE = 'Bearer realm="sluice"';
