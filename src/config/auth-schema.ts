// biome-ignore-all lint/suspicious/noTemplateCurlyInString: descriptions document the config's ${VAR} syntax.
// The `auth` section of the config: who may put records. It has no default on purpose: a
// config must either list keys or say `auth: { mode: none }`, so nobody runs an open ingest
// port by leaving a section out. Secrets are strings here; the loader's `${VAR}` substitution
// is how they come from the environment, and nothing in Sluice logs them.
import { z } from 'zod';

// Firehose's rule for delivery stream names (as in schema.ts).
const streamName = z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, {
  error: 'must be 1 to 64 characters of letters, digits, "_", "." and "-"',
});

// A secret is at least 16 characters: short secrets can be guessed. The schema's own type
// message keeps the loader from quoting a mistyped (numeric) secret back in its error.
const secret = z
  .string({ error: 'must be a string (quote it)' })
  .min(16, { error: 'must be at least 16 characters (e.g. the output of `openssl rand -base64 30`)' });

const streamLimit = z
  .array(streamName)
  .min(1, { error: 'must name at least one stream; leave `streams` out to allow every stream' })
  .optional()
  .describe('The streams this key may use; leave it out to allow every stream.');

export const accessKeySchema = z
  .strictObject({
    accessKeyId: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z0-9_.-]{1,128}$/, {
        error: 'must be 1 to 128 characters of letters, digits, "_", "." and "-"',
      })
      .describe('The access key ID producers sign with (their AWS_ACCESS_KEY_ID). Not secret.'),
    secretAccessKey: secret.describe(
      'The secret producers sign with (their AWS_SECRET_ACCESS_KEY); write `${VAR}` to read it from the environment.',
    ),
    streams: streamLimit,
  })
  .describe(
    'An access key for the Firehose-compatible API: requests must carry an AWS Signature V4 made with it.',
  );

export const apiKeySchema = z
  .strictObject({
    key: secret.describe(
      'The token producers send as `Authorization: Bearer <key>`; write `${VAR}` to read it from the environment.',
    ),
    streams: streamLimit,
  })
  .describe('A bearer token for the native NDJSON API (`POST /v1/streams/{name}/records`).');

export const authSchema = z
  .strictObject({
    mode: z
      .enum(['none', 'keys'])
      .describe(
        '`keys`: every request must be authenticated, Firehose API calls by a SigV4 signature made with one of `accessKeys`, native API calls by one of `apiKeys`. `none`: no authentication; whoever reaches the ingest port can put records.',
      ),
    allowUnauthenticated: z
      .boolean()
      .default(false)
      .describe(
        'With `mode: none`, allow `ingest.host` to be an address other than loopback (127.0.0.1, ::1, localhost). Without it Sluice refuses to start that way.',
      ),
    accessKeys: z.array(accessKeySchema).default([]).describe('Keys for the Firehose-compatible API.'),
    apiKeys: z.array(apiKeySchema).default([]).describe('Bearer tokens for the native NDJSON API.'),
  })
  .superRefine((auth, ctx) => {
    const keyCount = auth.accessKeys.length + auth.apiKeys.length;
    if (auth.mode === 'keys' && keyCount === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message: 'is keys, but no accessKeys or apiKeys are set',
      });
    }
    if (auth.mode === 'none' && keyCount > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['mode'],
        message: 'is none, so the keys below would be ignored; write `mode: keys` to use them',
      });
    }
    if (auth.mode === 'keys' && auth.allowUnauthenticated) {
      ctx.addIssue({
        code: 'custom',
        path: ['allowUnauthenticated'],
        message: 'applies only to `mode: none`; remove it',
      });
    }
    const ids = new Map<string, number>();
    auth.accessKeys.forEach((key, index) => {
      const first = ids.get(key.accessKeyId);
      if (first === undefined) ids.set(key.accessKeyId, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['accessKeys', index, 'accessKeyId'],
          message: `is the same as accessKeys[${first}]; access key IDs must be unique`,
        });
    });
    const tokens = new Map<string, number>();
    auth.apiKeys.forEach((apiKey, index) => {
      const first = tokens.get(apiKey.key);
      if (first === undefined) tokens.set(apiKey.key, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['apiKeys', index, 'key'],
          message: `is the same as apiKeys[${first}]; API keys must be unique`,
        });
    });
  })
  .describe(
    'Who may put records. Required, so that running without authentication is a choice: write `auth: { mode: none }` for that.',
  );

export type AuthConfig = z.infer<typeof authSchema>;
export type AccessKeyConfig = z.infer<typeof accessKeySchema>;
export type ApiKeyConfig = z.infer<typeof apiKeySchema>;
