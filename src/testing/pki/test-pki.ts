import { randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { testRsaKeyPair } from './test-rsa-key.js';

/** Options of the server (leaf) certificate made by {@link createTestPki}. */
export interface TestLeafCertificateOptions {
  /** DNS names in the subjectAltName; default `['localhost']`. */
  dnsNames?: readonly string[];
  /** IP addresses in the subjectAltName; default `['127.0.0.1']`. Pass `[]` to test hostname mismatch. */
  ipAddresses?: readonly string[];
  /** Subject common name; default the first DNS name or `test-server`. */
  commonName?: string;
  /** Start of validity, epoch ms; default one hour before `nowMs`. */
  notBeforeMs?: number;
  /** End of validity, epoch ms; default one year after `nowMs`. Set it in the past for an expired cert. */
  notAfterMs?: number;
}

/** Options of {@link createTestPki}. */
export interface TestPkiOptions {
  /** "Now" for the validity periods, epoch ms; default `Date.now()`. */
  nowMs?: number;
  /** Label prefix of the cached RSA keys (see `testRsaKeyPair`); change it to get an unrelated PKI. */
  keyLabel?: string;
  /** Common name prefix of the CAs; default `Test KMS`. */
  caName?: string;
  /** The server certificate. */
  leaf?: TestLeafCertificateOptions;
}

/**
 * A private CA chain like the one a KMS instance presents: a self-signed root, an intermediate ("second")
 * CA with pathlen 0, and a server certificate with its key. All values are PEM text. TEST ONLY.
 */
export interface TestPki {
  /** The self-signed root CA certificate. */
  rootCertPem: string;
  /** The intermediate CA certificate, issued by the root. */
  intermediateCertPem: string;
  /** The server certificate, issued by the intermediate. */
  leafCertPem: string;
  /** The server certificate's private key (PKCS#8). */
  leafKeyPem: string;
  /** What a server sends: leaf followed by the intermediate. */
  leafChainPem: string;
  /** What a client trusts, like the console's CA download: root followed by the intermediate. */
  caBundlePem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Turns a Node key into the node-forge form its certificate code needs. */
function toForgePrivateKey(key: KeyObject): forge.pki.rsa.PrivateKey {
  return forge.pki.privateKeyFromPem(key.export({ type: 'pkcs1', format: 'pem' }).toString());
}

function toForgePublicKey(key: KeyObject): forge.pki.rsa.PublicKey {
  return forge.pki.publicKeyFromPem(key.export({ type: 'spki', format: 'pem' }).toString()) as forge.pki.rsa.PublicKey;
}

/** A random positive serial number (hex, high bit clear). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f | 0x10;
  return bytes.toString('hex');
}

interface CertificateSpec {
  subjectCn: string;
  publicKey: KeyObject;
  issuer?: { cert: forge.pki.Certificate; key: KeyObject };
  selfKey?: KeyObject;
  notBeforeMs: number;
  notAfterMs: number;
  extensions: object[];
}

function issueCertificate(spec: CertificateSpec): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = toForgePublicKey(spec.publicKey);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = new Date(spec.notBeforeMs);
  cert.validity.notAfter = new Date(spec.notAfterMs);
  const subject = [
    { name: 'commonName', value: spec.subjectCn },
    { name: 'organizationName', value: 'ali-oss-managed-credentials tests' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(spec.issuer ? spec.issuer.cert.subject.attributes : subject);
  const extensions: object[] = [{ name: 'subjectKeyIdentifier' }, ...spec.extensions];
  if (spec.issuer) {
    extensions.push({
      name: 'authorityKeyIdentifier',
      keyIdentifier: spec.issuer.cert.generateSubjectKeyIdentifier().getBytes(),
    });
  }
  cert.setExtensions(extensions);
  const signingKey = spec.issuer ? spec.issuer.key : spec.selfKey;
  if (!signingKey) throw new Error('issueCertificate: no signing key');
  cert.sign(toForgePrivateKey(signingKey), forge.md.sha256.create());
  return cert;
}

/**
 * Makes a root CA -> intermediate CA -> server certificate chain for TLS tests. The server certificate
 * carries `localhost` and `127.0.0.1` by default; options make it expired or for other names. RSA keys
 * come from the per-process cache, so this costs a few certificate signatures (tens of ms each). TEST ONLY.
 */
export function createTestPki(options: TestPkiOptions = {}): TestPki {
  const nowMs = options.nowMs ?? Date.now();
  const label = options.keyLabel ?? 'pki';
  const caName = options.caName ?? 'Test KMS';
  const rootKeys = testRsaKeyPair(`${label}:root`);
  const intermediateKeys = testRsaKeyPair(`${label}:intermediate`);
  const leafKeys = testRsaKeyPair(`${label}:leaf`);

  const caUsage = { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true };
  const root = issueCertificate({
    subjectCn: `${caName} Root CA`,
    publicKey: rootKeys.publicKey,
    selfKey: rootKeys.privateKey,
    notBeforeMs: nowMs - DAY_MS,
    notAfterMs: nowMs + 20 * 365 * DAY_MS,
    extensions: [{ name: 'basicConstraints', critical: true, cA: true }, caUsage],
  });
  const intermediate = issueCertificate({
    subjectCn: `${caName} Second CA`,
    publicKey: intermediateKeys.publicKey,
    issuer: { cert: root, key: rootKeys.privateKey },
    notBeforeMs: nowMs - DAY_MS,
    notAfterMs: nowMs + 10 * 365 * DAY_MS,
    extensions: [{ name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 }, caUsage],
  });

  const leafOptions = options.leaf ?? {};
  const dnsNames = leafOptions.dnsNames ?? ['localhost'];
  const ipAddresses = leafOptions.ipAddresses ?? ['127.0.0.1'];
  const altNames = [
    ...dnsNames.map((value) => ({ type: 2, value })),
    ...ipAddresses.map((ip) => ({ type: 7, ip })),
  ];
  const leafExtensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
  ];
  if (altNames.length > 0) leafExtensions.push({ name: 'subjectAltName', altNames });
  const leaf = issueCertificate({
    subjectCn: leafOptions.commonName ?? dnsNames[0] ?? 'test-server',
    publicKey: leafKeys.publicKey,
    issuer: { cert: intermediate, key: intermediateKeys.privateKey },
    notBeforeMs: leafOptions.notBeforeMs ?? nowMs - 60 * 60 * 1000,
    notAfterMs: leafOptions.notAfterMs ?? nowMs + 365 * DAY_MS,
    extensions: leafExtensions,
  });

  const rootCertPem = forge.pki.certificateToPem(root);
  const intermediateCertPem = forge.pki.certificateToPem(intermediate);
  const leafCertPem = forge.pki.certificateToPem(leaf);
  return {
    rootCertPem,
    intermediateCertPem,
    leafCertPem,
    leafKeyPem: leafKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    leafChainPem: leafCertPem + intermediateCertPem,
    caBundlePem: rootCertPem + intermediateCertPem,
  };
}
