// Parses a SigV4 Authorization header:
//   AWS4-HMAC-SHA256 Credential=<key id>/<yyyymmdd>/<region>/<service>/aws4_request,
//     SignedHeaders=<name;name;...>, Signature=<64 hex digits>
// A header that cannot be read fails with IncompleteSignatureException, in the words AWS uses
// (e.g. "Authorization header requires 'Signature' parameter.", aws/aws-sdk-js#4285).
import { FirehoseError } from '../firehose/errors.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

export interface SigV4Authorization {
  accessKeyId: string;
  /** yyyymmdd of the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  terminator: string;
  /** Lower-case header names, as listed by the client. */
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorizationHeader(header: string): SigV4Authorization {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw incomplete(
      `Unsupported authorization type '${algorithm.slice(0, 40)}': sign requests with AWS Signature Version 4 (${SIGV4_ALGORITHM}).`,
    );
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(space + 1).split(',')) {
    const pair = part.trim();
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    if (equals === -1) {
      throw incomplete(`'${pair}' not a valid key=value pair (missing equal-sign) in Authorization header.`);
    }
    fields.set(pair.slice(0, equals), pair.slice(equals + 1));
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields.get(name));
  if (missing.length > 0) {
    throw incomplete(missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' '));
  }
  const credential = fields.get('Credential') as string;
  const scope = credential.split('/');
  if (scope.length !== 5 || scope.some((part) => part === '')) {
    throw incomplete(
      `Credential must be <access key ID>/<yyyymmdd>/<region>/firehose/aws4_request, not '${credential.slice(0, 200)}'.`,
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope as [
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    accessKeyId,
    scopeDate,
    region,
    service,
    terminator,
    signedHeaders: (fields.get('SignedHeaders') as string)
      .split(';')
      .map((name) => name.trim().toLowerCase()),
    signature: fields.get('Signature') as string,
  };
}

function incomplete(message: string): FirehoseError {
  return new FirehoseError('IncompleteSignatureException', message, 'malformed');
}
