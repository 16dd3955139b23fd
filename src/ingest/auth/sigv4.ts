// Verifies the AWS Signature Version 4 of a Firehose API request against the configured access
// keys. The expected signature is computed by @smithy/signature-v4 (signer.ts) over exactly the
// headers the client listed in SignedHeaders, with the payload hash taken from the body as
// received (the AWS CLI sends no x-amz-content-sha256), and compared in constant time.
// Failures answer as AWS does, in its words:
//   no Authorization header            MissingAuthenticationTokenException (403)
//   unreadable header or scope         IncompleteSignatureException (400)
//   unknown access key                 UnrecognizedClientException (400)
//   >15 min clock skew, wrong secret   InvalidSignatureException (400)
// (messages: IAM "Troubleshoot signed requests", and AWS answers quoted in aws/aws-sdk-js#254,
// aws/aws-sdk-go#2194, fluent/fluentd#3573).
import { timingSafeEqual } from 'node:crypto';
import { FirehoseError } from '../firehose/errors.js';
import { parseAuthorizationHeader } from './authorization-header.js';
import type { AccessKey, IngestAuth } from './keys.js';
import { sha256Hex } from './sha256.js';
import type { SignableRequest, SigningOptions } from './signer.js';

export interface SignedRequest {
  method: string;
  /** The path, without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-case names; a header sent several times has its values joined with ",". */
  headers: Readonly<Record<string, string>>;
  body: Uint8Array;
}

/** AWS's window: a signature more than 15 minutes from the server's clock is refused. */
export const CLOCK_SKEW_MS = 15 * 60 * 1000;
const SERVICE = 'firehose';
const CONTENT_SHA256 = 'x-amz-content-sha256';
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** What checkSigV4Headers found: the key the request claims, and what its signature covers. */
export interface ClaimedSignature {
  key: AccessKey;
  region: string;
  signedHeaders: string[];
  signature: string;
  signingDate: Date;
}

export async function verifySigV4(
  request: SignedRequest,
  auth: IngestAuth,
  now: number = Date.now(),
): Promise<AccessKey> {
  return verifySignature(request, checkSigV4Headers(request, auth, now));
}

/**
 * Everything that can be checked before the body arrives: the Authorization header, the key,
 * the credential scope and the clock. The protocol layer runs it first, so an unauthenticated
 * client cannot make Sluice read a large body.
 */
export function checkSigV4Headers(
  request: Omit<SignedRequest, 'body'>,
  auth: IngestAuth,
  now: number = Date.now(),
): ClaimedSignature {
  const header = request.headers.authorization;
  if (header === undefined) {
    const presigned = request.query['X-Amz-Signature'] !== undefined;
    throw new FirehoseError(
      presigned ? 'IncompleteSignatureException' : 'MissingAuthenticationTokenException',
      presigned
        ? 'Query-string (presigned) authentication is not supported: sign the Authorization header.'
        : 'Missing Authentication Token',
      presigned ? 'malformed' : 'missing',
    );
  }
  const parsed = parseAuthorizationHeader(header);
  const amzDate = request.headers['x-amz-date'];
  if (amzDate === undefined) {
    // AWS also takes a signed Date header; the SDKs, the CLI and the agents all send X-Amz-Date.
    throw new FirehoseError(
      'IncompleteSignatureException',
      "Authorization header requires existence of a 'X-Amz-Date' header.",
      'malformed',
    );
  }
  const signingDate = parseAmzDate(amzDate);
  for (const required of ['host', 'x-amz-date']) {
    if (!parsed.signedHeaders.includes(required)) {
      throw new FirehoseError(
        'IncompleteSignatureException',
        `'${required}' must be a 'SignedHeader' in the AWS Authorization.`,
        'malformed',
      );
    }
  }

  const key = auth.accessKey(parsed.accessKeyId);
  // Sluice's keys are long-term keys: a session token belongs to credentials it cannot know.
  if (key === undefined || request.headers['x-amz-security-token'] !== undefined) {
    throw new FirehoseError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      'unknown_key',
    );
  }
  if (parsed.service !== SERVICE) {
    throw invalid(`Credential should be scoped to correct service: '${SERVICE}'. `, 'malformed');
  }
  if (parsed.terminator !== 'aws4_request') {
    throw invalid(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${parsed.terminator}'.`,
      'malformed',
    );
  }
  if (parsed.scopeDate !== amzDate.slice(0, 8)) {
    throw invalid(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
      'malformed',
    );
  }
  checkClock(amzDate, signingDate.getTime(), now);
  return {
    key,
    region: parsed.region,
    signedHeaders: parsed.signedHeaders,
    signature: parsed.signature,
    signingDate,
  };
}

/** Computes the signature the claimed key gives the whole request, and compares. */
export async function verifySignature(request: SignedRequest, claim: ClaimedSignature): Promise<AccessKey> {
  const { key } = claim;
  const payloadHash = sha256Hex(request.body);
  const claimedHash = request.headers[CONTENT_SHA256];
  if (claimedHash !== undefined && claimedHash.toLowerCase() !== payloadHash) {
    throw invalid(
      `The provided '${CONTENT_SHA256}' header does not match what was computed.`,
      'signature_mismatch',
    );
  }

  const { toSign, options } = signingInput(request, claim.signedHeaders, payloadHash, claim.signingDate);
  options.signingRegion = claim.region;
  const expected = await key.signer.signatureOf(toSign, options);
  if (!sameSignature(expected, claim.signature)) {
    const { canonicalRequest, stringToSign } = await key.signer.explain(toSign, options);
    throw invalid(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.' +
        `\n\nThe Canonical String for this request should have been\n'${canonicalRequest}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`,
      'signature_mismatch',
    );
  }
  return key;
}

/**
 * The request as the signer sees it: only the headers the client signed (x-amz-date comes from
 * signingDate), and the payload hash passed as x-amz-content-sha256, which the signer then uses
 * instead of hashing again; it is left out of the canonical headers unless the client signed it.
 */
function signingInput(
  request: SignedRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
  signingDate: Date,
): { toSign: SignableRequest; options: SigningOptions } {
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    if (name === 'x-amz-date') continue;
    // A signed header that is absent signs as empty, and then cannot match.
    headers[name] = request.headers[name] ?? '';
  }
  headers[CONTENT_SHA256] = payloadHash;
  return {
    toSign: {
      method: request.method,
      protocol: 'http:',
      hostname: request.headers.host ?? '',
      path: request.path,
      query: request.query,
      headers,
    },
    options: {
      signingDate,
      signingRegion: '',
      signingService: SERVICE,
      signableHeaders: new Set(signedHeaders),
      unsignableHeaders: new Set(signedHeaders.includes(CONTENT_SHA256) ? [] : [CONTENT_SHA256]),
    },
  };
}

function parseAmzDate(text: string): Date {
  const match = AMZ_DATE.exec(text);
  const date = match
    ? new Date(
        Date.UTC(
          Number(match[1]),
          Number(match[2]) - 1,
          Number(match[3]),
          Number(match[4]),
          Number(match[5]),
          Number(match[6]),
        ),
      )
    : undefined;
  // Date.UTC rolls 20260230 over into March: such a date is as unreadable as a malformed one.
  if (!date || formatAmzDate(date.getTime()) !== text) {
    throw new FirehoseError(
      'IncompleteSignatureException',
      `X-Amz-Date must be in the ISO 8601 basic format yyyyMMdd'T'HHmmss'Z', not '${text.slice(0, 40)}'.`,
      'malformed',
    );
  }
  return date;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function checkClock(amzDate: string, signedAt: number, now: number): void {
  if (signedAt < now - CLOCK_SKEW_MS) {
    throw invalid(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - CLOCK_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
      'expired',
    );
  }
  if (signedAt > now + CLOCK_SKEW_MS) {
    throw invalid(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + CLOCK_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`,
      'expired',
    );
  }
}

/** Constant-time comparison; the length of a signature (64 hex digits) is no secret. */
function sameSignature(expected: string, provided: string): boolean {
  if (expected.length === 0 || expected.length !== provided.length) return false;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(provided, 'latin1'));
}

function invalid(message: string, reason: 'malformed' | 'signature_mismatch' | 'expired'): FirehoseError {
  return new FirehoseError('InvalidSignatureException', message, reason);
}
