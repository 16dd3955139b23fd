// Generated NDJSON API requests for the fuzz test: valid bodies, malformed JSON, invalid
// UTF-8, empty and oversized bodies, records too large, unknown or undecodable stream names,
// unknown routes, wrong methods and failed authentication.
import type { Random } from '../support/random.js';
import { type FuzzCase, type FuzzLimits, STREAM } from './fuzz-cases.js';

function jsonValue(rnd: Random, depth = 0): unknown {
  switch (rnd.int(0, depth > 2 ? 3 : 5)) {
    case 0:
      return rnd.int(-1e9, 1e9) / rnd.pick([1, 7, 1000]);
    case 1:
      return rnd.pick([
        '',
        'plain',
        'ünïcödé ✓',
        'emoji 🚀',
        'quote " and \\ backslash',
        'line\nbreak',
        '\u0000nul',
      ]);
    case 2:
      return rnd.pick([true, false, null]);
    case 3:
      return `${'x'.repeat(rnd.int(0, 200))}`;
    case 4:
      return Array.from({ length: rnd.int(0, 4) }, () => jsonValue(rnd, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = rnd.int(0, 5); i > 0; i -= 1) object[`k${rnd.int(0, 99)}`] = jsonValue(rnd, depth + 1);
      return object;
    }
  }
}

function validLines(rnd: Random, count: number): string[] {
  return Array.from({ length: count }, () => JSON.stringify(jsonValue(rnd)));
}

const MALFORMED = [
  '{"a":',
  '{a:1}',
  "'single'",
  '[1,2',
  'undefined',
  'NaN',
  '{"a":1}}',
  'tru',
  '"unterminated',
  '{"a":"\\u12"}',
  '01',
  '{"a":1,}',
  '\u0001',
];

function build(
  rnd: Random,
  limits: FuzzLimits,
  kind: string,
  body: Buffer,
  expect: FuzzCase['expect'],
): FuzzCase {
  return {
    kind,
    api: 'ndjson',
    method: 'POST',
    path: `/v1/streams/${STREAM}/records`,
    headers: { 'content-type': 'application/x-ndjson', authorization: 'Bearer PRODUCER' },
    body,
    chunked: rnd.chance(0.2) && body.length < limits.maxRequestBytes * 4,
    signing: 'none',
    expect,
  };
}

export function ndjsonCase(rnd: Random, limits: FuzzLimits): FuzzCase {
  const family = rnd.int(0, 11);
  const eol = rnd.pick(['\n', '\r\n']);
  switch (family) {
    case 0:
    case 1: {
      const lines = validLines(rnd, rnd.int(1, 20));
      const blankLines = rnd.chance(0.3) ? ['', '  ', '\t'] : [];
      const body = [...lines, ...blankLines].join(eol) + (rnd.chance(0.5) ? eol : '');
      return build(rnd, limits, 'ndjson valid', Buffer.from(body), { status: 200, count: lines.length });
    }
    case 2: {
      const lines = validLines(rnd, rnd.int(0, 5));
      lines.splice(rnd.int(0, lines.length), 0, rnd.pick(MALFORMED));
      return build(rnd, limits, 'ndjson malformed JSON', Buffer.from(lines.join(eol)), {
        status: 400,
        code: 'InvalidJson',
      });
    }
    case 3: {
      const bad = rnd.pick([
        [0xff],
        [0xc3, 0x28],
        [0xed, 0xa0, 0x80],
        [0xf8, 0x88, 0x80, 0x80, 0x80],
        [0x80],
      ]);
      const line = Buffer.concat([Buffer.from('{"text":"'), Buffer.from(bad), Buffer.from('"}')]);
      const body = Buffer.concat([
        Buffer.from(
          validLines(rnd, rnd.int(0, 3))
            .map((l) => l + eol)
            .join(''),
        ),
        line,
      ]);
      return build(rnd, limits, 'ndjson invalid UTF-8', body, { status: 400, code: 'InvalidJson' });
    }
    case 4:
      return build(rnd, limits, 'ndjson empty', Buffer.from(rnd.pick(['', '\n\n', ' \r\n\t\n', '\r'])), {
        status: 400,
        code: 'EmptyRequest',
      });
    case 5: {
      const big = JSON.stringify(
        'r'.repeat(rnd.int(limits.maxRecordBytes - 1, limits.maxRequestBytes - 100)),
      );
      const body = Buffer.from(`{"ok":1}${eol}${big}`);
      return build(rnd, limits, 'ndjson record too large', body, {
        status: 413,
        code: 'RecordTooLarge',
      });
    }
    case 6: {
      const size = rnd.chance(0.1)
        ? rnd.int(4, 8) * 1024 * 1024
        : rnd.int(limits.maxRequestBytes + 1, 3 * limits.maxRequestBytes);
      return build(rnd, limits, 'ndjson huge body', Buffer.alloc(size, 0x20), {
        status: 413,
        code: 'RequestTooLarge',
      });
    }
    case 7: {
      const name = rnd.pick([
        'nope',
        '%C3%A9v%C3%A9nements',
        '%FF%FE',
        '%E0%A4%A',
        '%00',
        'a'.repeat(300),
        '..',
        'a%2Fb',
        '%ED%A0%80',
      ]);
      return {
        ...build(rnd, limits, 'ndjson unknown or invalid stream name', Buffer.from('{"a":1}'), {
          status: 404,
          code: 'StreamNotFound',
        }),
        path: `/v1/streams/${name}/records`,
      };
    }
    case 8: {
      const path = rnd.pick([
        '/v1/streams//records',
        '/v1/streams/events/records/x',
        '/v2/streams/events/records',
        '/favicon.ico',
        '/v1/streams/events',
        '/%FF',
      ]);
      return {
        ...build(rnd, limits, 'ndjson unknown route', Buffer.from('{}'), {
          status: 404,
          code: 'RouteNotFound',
        }),
        path,
      };
    }
    case 9:
      return {
        ...build(rnd, limits, 'ndjson wrong method', Buffer.alloc(0), {
          status: 405,
          code: 'MethodNotAllowed',
        }),
        method: rnd.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']),
      };
    case 10: {
      const authorization = rnd.pick([
        undefined,
        'Bearer not-a-key-0123456789abcdef',
        'Basic dXNlcjpwYXNz',
        'Bearer',
        'bearer  ',
      ]);
      const c = build(rnd, limits, 'ndjson not authenticated', Buffer.from('{"a":1}'), {
        status: 401,
        code: 'Unauthorized',
      });
      const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
      if (authorization !== undefined) headers.authorization = authorization;
      return { ...c, headers };
    }
    default:
      return {
        ...build(rnd, limits, 'ndjson key limited to another stream', Buffer.from('{"a":1}'), {
          status: 403,
          code: 'AccessDenied',
        }),
        headers: { authorization: 'Bearer LIMITED' },
      };
  }
}
