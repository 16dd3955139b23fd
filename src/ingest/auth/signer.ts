// The SigV4 signer of one access key: the AWS SDK's own @smithy/signature-v4, so the expected
// signature of a request is computed by the same code that signs the SDKs' requests. The
// subclass adds only `explain`, which runs the same published steps as `sign()` to show a
// client whose signature did not match the canonical request and string to sign that Sluice
// expected, as AWS's InvalidSignatureException message does.
import {
  ALGORITHM_IDENTIFIER,
  AMZ_DATE_HEADER,
  createScope,
  getCanonicalHeaders,
  getPayloadHash,
  prepareRequest,
  SignatureV4,
} from '@smithy/signature-v4';
import { NodeSha256 } from './sha256.js';

/** A request in the shape the signer takes. */
export type SignableRequest = Parameters<typeof prepareRequest>[0];

export interface SigningOptions {
  signingDate: Date;
  signingRegion: string;
  signingService: string;
  signableHeaders: Set<string>;
  unsignableHeaders: Set<string>;
}

export class KeySigner extends SignatureV4 {
  constructor(accessKeyId: string, secretAccessKey: string) {
    super({
      service: 'firehose',
      // Replaced per request (signingRegion) by the region of the request's credential scope.
      region: 'us-east-1',
      credentials: { accessKeyId, secretAccessKey },
      sha256: NodeSha256,
      // sign() must not add an x-amz-content-sha256 header that the client did not sign.
      applyChecksum: false,
    });
  }

  /** The hex signature this key gives `request`. */
  async signatureOf(request: SignableRequest, options: SigningOptions): Promise<string> {
    const signed = await this.sign(request, options);
    const header = signed.headers.authorization ?? '';
    return /Signature=([0-9a-f]+)/.exec(header)?.[1] ?? '';
  }

  /** The canonical request and string to sign behind signatureOf(), for an error message. */
  async explain(
    request: SignableRequest,
    options: SigningOptions,
  ): Promise<{ canonicalRequest: string; stringToSign: string }> {
    const prepared = prepareRequest(request);
    const { longDate, shortDate } = this.formatDate(options.signingDate);
    prepared.headers[AMZ_DATE_HEADER] = longDate;
    const payloadHash = await getPayloadHash(prepared, this.sha256);
    const headers = getCanonicalHeaders(prepared, options.unsignableHeaders, options.signableHeaders);
    const canonicalRequest = this.createCanonicalRequest(prepared, headers, payloadHash);
    const scope = createScope(shortDate, options.signingRegion, options.signingService);
    const stringToSign = await this.createStringToSign(
      longDate,
      scope,
      canonicalRequest,
      ALGORITHM_IDENTIFIER,
    );
    return { canonicalRequest, stringToSign };
  }
}
