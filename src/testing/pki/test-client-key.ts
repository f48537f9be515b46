import { randomUUID } from 'node:crypto';
import forge from 'node-forge';
import { encodeLegacyPkcs12 } from './legacy-pkcs12.js';
import { testRsaKeyPair } from './test-rsa-key.js';

/** Options of {@link createTestClientKey}. */
export interface TestClientKeyOptions {
  /** KeyId; default `KAAP.<random uuid>`. */
  keyId?: string;
  /** PKCS#12 password; default a random one. */
  password?: string;
  /** Label of the cached RSA key (see `testRsaKeyPair`); default `client`. Another label gives another key. */
  keyLabel?: string;
  /** "Now" for the certificate's validity, epoch ms; default `Date.now()`. */
  nowMs?: number;
}

/**
 * An application access point ClientKey in the console's format, plus everything a test needs around it.
 * TEST ONLY; the key is generated locally and is not an Alibaba Cloud credential.
 */
export interface TestClientKey {
  /** `KAAP.<uuid>`. */
  keyId: string;
  /** Password of the PKCS#12 in `privateKeyData`. */
  password: string;
  /** Base64 PKCS#12 (legacy RC2-40 certificate bag, 3DES key bag), as in the JSON file. */
  privateKeyData: string;
  /** The ClientKey file content: `{"KeyId": ..., "PrivateKeyData": ...}`. */
  clientKeyJson: string;
  /** The same RSA private key as PKCS#8 PEM (for the KeyId + PEM configuration path). */
  privateKeyPem: string;
  /** The public key (SPKI PEM) a server verifies signatures with. */
  publicKeyPem: string;
  /** The self-signed certificate stored in the PKCS#12. */
  certificatePem: string;
  /** The console's file names for this key: `clientKey_<KeyId>.json` and `clientKey_<KeyId>_Password.txt`. */
  fileNames: { clientKey: string; password: string };
}

/**
 * Makes a ClientKey like the KMS console's: RSA-2048, a self-signed certificate, both in a PKCS#12 with the
 * legacy algorithms real ClientKeys use, base64 inside a JSON document. The RSA key is cached per process
 * and label, so this is fast after the first call. TEST ONLY.
 */
export function createTestClientKey(options: TestClientKeyOptions = {}): TestClientKey {
  const keyId = options.keyId ?? `KAAP.${randomUUID()}`;
  const password = options.password ?? `pw-${randomUUID()}`;
  const nowMs = options.nowMs ?? Date.now();
  const pair = testRsaKeyPair(options.keyLabel ?? 'client');
  const privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem) as forge.pki.rsa.PublicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(nowMs - 60_000);
  cert.validity.notAfter = new Date(nowMs + 5 * 365 * 24 * 60 * 60 * 1000);
  const subject = [
    { name: 'commonName', value: 'test-client-key-aap' },
    { name: 'organizationName', value: 'ali-oss-managed-credentials tests' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(cert);

  const privateKeyData = encodeLegacyPkcs12({ privateKeyPem, certificatePem, password }).toString('base64');
  return {
    keyId,
    password,
    privateKeyData,
    clientKeyJson: JSON.stringify({ KeyId: keyId, PrivateKeyData: privateKeyData }, null, 2),
    privateKeyPem,
    publicKeyPem,
    certificatePem,
    fileNames: { clientKey: `clientKey_${keyId}.json`, password: `clientKey_${keyId}_Password.txt` },
  };
}
