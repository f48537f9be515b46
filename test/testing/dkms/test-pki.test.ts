import { createPrivateKey, createPublicKey } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { createTestClientKey, createTestPki, type TestPki } from '../../../src/testing/pki/index.js';

/** Starts a TLS server with `pki`'s chain, connects a client with `ca`, returns the client's verdict. */
async function handshake(pki: TestPki, ca: string, servername?: string): Promise<string> {
  const server = tls.createServer({ key: pki.leafKeyPem, cert: pki.leafChainPem }, (socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca, ...(servername ? { servername } : {}) });
      socket.on('secureConnect', () => {
        socket.destroy();
        resolve('ok');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  } finally {
    server.close();
  }
}

describe('createTestPki', () => {
  const pki = createTestPki();

  it('issues a leaf for 127.0.0.1 that verifies against the root+intermediate bundle', async () => {
    expect(await handshake(pki, pki.caBundlePem)).toBe('ok');
    expect(pki.caBundlePem).toBe(pki.rootCertPem + pki.intermediateCertPem);
  });

  it('does not verify with the intermediate alone (Node needs a chain ending in a root)', async () => {
    expect(await handshake(pki, pki.intermediateCertPem)).toBe('UNABLE_TO_GET_ISSUER_CERT');
  });

  it('verifies with the root alone because the server sends the intermediate', async () => {
    expect(await handshake(pki, pki.rootCertPem)).toBe('ok');
  });

  it('is rejected by an unrelated PKI', async () => {
    const other = createTestPki({ keyLabel: 'unrelated' });
    expect(await handshake(pki, other.caBundlePem)).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('can make an expired leaf and a leaf for other names', async () => {
    const nowMs = Date.now();
    const expired = createTestPki({ leaf: { notBeforeMs: nowMs - 20 * 86_400_000, notAfterMs: nowMs - 86_400_000 } });
    expect(await handshake(expired, expired.caBundlePem)).toBe('CERT_HAS_EXPIRED');
    const wrongName = createTestPki({ leaf: { dnsNames: ['kms.example.test'], ipAddresses: [] } });
    expect(await handshake(wrongName, wrongName.caBundlePem)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});

describe('createTestClientKey', () => {
  it('writes a console-style ClientKey whose PKCS#12 holds the RSA key under legacy encryption', () => {
    const clientKey = createTestClientKey({ keyId: 'KAAP.test-key', password: 'p@ss word' });
    expect(JSON.parse(clientKey.clientKeyJson)).toEqual({ KeyId: 'KAAP.test-key', PrivateKeyData: clientKey.privateKeyData });
    expect(clientKey.fileNames).toEqual({
      clientKey: 'clientKey_KAAP.test-key.json',
      password: 'clientKey_KAAP.test-key_Password.txt',
    });

    const der = Buffer.from(clientKey.privateKeyData, 'base64');
    // OpenSSL 3 (without the legacy provider) cannot read it, like real ClientKeys.
    expect(() => tls.createSecureContext({ pfx: der, passphrase: clientKey.password })).toThrow();

    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), clientKey.password);
    const encryptedCerts = p12.safeContents.find((c) => c.encrypted);
    expect(encryptedCerts?.safeBags.map((b) => b.type)).toEqual([forge.pki.oids.certBag]);
    const keyBagType = forge.pki.oids.pkcs8ShroudedKeyBag as string;
    const keyBag = p12.getBags({ bagType: keyBagType })[keyBagType]?.[0];
    expect(keyBag?.key).toBeDefined();
    const pem = forge.pki.privateKeyToPem(keyBag!.key!);
    expect(createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'pem' })).toBe(clientKey.publicKeyPem);

    expect(() => forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), 'wrong')).toThrow();
  });

  it('gives different keys for different labels', () => {
    const a = createTestClientKey({ keyLabel: 'a' });
    const b = createTestClientKey({ keyLabel: 'b' });
    expect(a.publicKeyPem).not.toBe(b.publicKeyPem);
    expect(a.keyId).not.toBe(b.keyId);
  });
});
