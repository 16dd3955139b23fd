// `ingest.firehose`: what the Firehose-compatible API (POST / of the ingest port) says about
// itself. Sluice has no AWS account or region; these only fill the ARNs and messages that
// Firehose's answers carry, so tools that parse them find the shape they expect.
import { z } from 'zod';

export const firehoseApiSchema = z
  .strictObject({
    region: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, { error: 'must be a region name such as us-east-1' })
      .default('us-east-1')
      .describe(
        'Region in the stream ARNs (`arn:aws:firehose:<region>:<account>:deliverystream/<name>`). Requests signed for any region are accepted.',
      ),
    accountId: z
      .string({ error: 'must be a string of 12 digits (quote it)' })
      .regex(/^\d{12}$/, { error: 'must be 12 digits' })
      .default('000000000000')
      .describe('Account ID in the stream ARNs and in error messages.'),
  })
  .describe(
    'The Firehose-compatible API (`POST /` of the ingest port, `X-Amz-Target: Firehose_20150804.*`).',
  );

export type FirehoseApiConfig = z.infer<typeof firehoseApiSchema>;

/** A stream's ARN as Firehose writes it; transforms see it too, as `deliveryStreamArn`. */
export function deliveryStreamArn(identity: FirehoseApiConfig, stream: string): string {
  return `arn:aws:firehose:${identity.region}:${identity.accountId}:deliverystream/${stream}`;
}
