import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientKeyFromPem, parseClientKeyContent } from '../../../src/kms/dkms/client-key-loader.js';
import { dkmsMessages } from '../../../src/kms/dkms/dkms-messages.js';
import {
  buildDkmsStringToSign,
  dkmsContentSha256,
  signDkmsRequest,
  signDkmsStringToSign,
} from '../../../src/kms/dkms/dkms-signer.js';
import { fixtureText, javaSdkVector, vectors } from './fixtures.js';

const pemKey = clientKeyFromPem(vectors.keyId, fixtureText('test-private-key.pkcs8.pem'));
const p12Key = parseClientKeyContent(fixtureText(vectors.clientKeyFile), vectors.password);

describe('DKMS signer against vectors.json', () => {
  for (const vector of vectors.requests) {
    describe(vector.name, () => {
      const body = dkmsMessages.encodeGetSecretValueRequest(vector.request);

      it('encodes the request body byte for byte', () => {
        expect(body.toString('hex')).toBe(vector.bodyHex);
      });

      it('computes content-sha256 and the string to sign', () => {
        expect(dkmsContentSha256(body)).toBe(vector.contentSha256);
        expect(buildDkmsStringToSign('POST', vector.headers)).toBe(vector.stringToSign);
      });

      it('produces the exact headers and signature with the PEM key and the PKCS#12 key', () => {
        const { authorization, date, 'content-sha256': _sha, ...unsigned } = vector.headers;
        for (const key of [pemKey, p12Key]) {
          const signed = signDkmsRequest({
            method: 'POST',
            body,
            headers: unsigned,
            date: new Date(date!),
            privateKey: key.privateKey,
          });
          expect(signed.stringToSign).toBe(vector.stringToSign);
          expect(signed.headers).toEqual(vector.headers);
          expect(`Bearer ${signed.signature}`).toBe(authorization);
        }
      });
    });
  }

  it('hashes an empty body to the well-known upper-case digest', () => {
    expect(dkmsContentSha256(new Uint8Array())).toBe(vectors.emptyBodySha256Upper);
  });

  it('signs every x-kms-* header (sorted, trimmed) and leaves other headers out', () => {
    const sts = buildDkmsStringToSign('POST', {
      'x-kms-zeta': '  z  ',
      accept: 'ignored',
      'x-kms-alpha': 'a',
      'content-type': 'application/x-protobuf',
    });
    expect(sts).toBe('POST\n\napplication/x-protobuf\n\nx-kms-alpha:a\nx-kms-zeta:z\n/');
  });
});

describe('DKMS signer against the official Java SDK vector', () => {
  it('signs "string to sign" with the PKCS#1 PEM key like the Java SDK', () => {
    const key = createPrivateKey(javaSdkVector.pemPrivateKey);
    expect(`Bearer ${signDkmsStringToSign(javaSdkVector.stringToSign, key)}`).toBe(javaSdkVector.pemAuthorization);
  });

  it('signs with the key from the Java SDK ClientKey (legacy PKCS#12, password 1234) like the Java SDK', () => {
    const clientKey = parseClientKeyContent(JSON.stringify(javaSdkVector.clientKey), javaSdkVector.clientKeyPassword);
    expect(clientKey.keyId).toBe('key_for_unit_test');
    expect(`Bearer ${signDkmsStringToSign(javaSdkVector.stringToSign, clientKey.privateKey)}`).toBe(
      javaSdkVector.clientKeyAuthorization,
    );
  });
});
