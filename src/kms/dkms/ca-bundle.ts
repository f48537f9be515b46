import { X509Certificate } from 'node:crypto';

/** What a CA bundle holds, for configuration checks and TLS error hints. No secrets in here. */
export interface CaBundleInfo {
  /** Where it came from: the file path or `ca option`. */
  origin: string;
  /** Number of certificates parsed. */
  certificateCount: number;
  /** Whether any certificate is a self-signed root (Node's verifier needs the chain to end in one). */
  hasRoot: boolean;
  /** Subjects of the certificates, for messages. */
  subjects: string[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Parses every certificate of a PEM bundle (Node's `X509Certificate` reads one at a time). */
export function inspectCaBundle(pem: string, origin: string): CaBundleInfo {
  const certificates: X509Certificate[] = [];
  for (const block of pem.match(PEM_CERTIFICATE) ?? []) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      // An unreadable block is reported through certificateCount; TLS setup names the problem.
    }
  }
  return {
    origin,
    certificateCount: certificates.length,
    hasRoot: certificates.some((cert) => cert.subject === cert.issuer && cert.checkIssued(cert)),
    subjects: certificates.map((cert) => cert.subject.replace(/\n/g, ', ')),
  };
}

const ISSUER_UNKNOWN = new Set(['UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

/**
 * An actionable hint for a failed TLS verification, or `''`: the usual mistake is giving only the
 * instance's "Second CA" (an intermediate), which Java accepts but Node's OpenSSL does not.
 */
export function tlsFailureHint(tlsErrorCode: string | undefined, bundle: CaBundleInfo | undefined): string {
  if (tlsErrorCode === undefined || !ISSUER_UNKNOWN.has(tlsErrorCode)) return '';
  if (!bundle) {
    return ' No CA bundle is configured: set caFilePath (or ca) to the KMS instance CA file from the console.';
  }
  if (!bundle.hasRoot && bundle.certificateCount > 0) {
    return (
      ` The CA bundle (${bundle.origin}) holds only intermediate certificate(s) (${bundle.subjects.join('; ')}) ` +
      'and no self-signed root; Node needs the whole chain: include the Private KMS Root CA too ' +
      '(the CA file downloaded from the console contains the root and the second CA).'
    );
  }
  return ` The server certificate does not chain to the CA bundle (${bundle.origin}); is it the CA file of this KMS instance?`;
}
