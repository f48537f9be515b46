import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of a file in test/fixtures/dkms (TEST-ONLY vectors copied from the reference notes). */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/dkms/${name}`, import.meta.url));
}

/** Text of a fixture file. */
export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** Shape of vectors.json (only what the tests read). */
export interface DkmsVectors {
  keyId: string;
  password: string;
  clientKeyFile: string;
  passwordFile: string;
  requests: Array<{
    name: string;
    request: { SecretName: string; VersionStage?: string; FetchExtendedConfig?: boolean };
    bodyHex: string;
    contentSha256: string;
    stringToSign: string;
    headers: Record<string, string>;
  }>;
  emptyBodySha256Upper: string;
  getSecretValueResponse: { message: Record<string, unknown>; hex: string };
  errorResponse: { httpStatus: number; message: Record<string, unknown>; hex: string };
}

export const vectors = JSON.parse(fixtureText('vectors.json')) as DkmsVectors;

/** Shape of java-sdk-vector.json. */
export interface JavaSdkVector {
  stringToSign: string;
  pemPrivateKey: string;
  pemAuthorization: string;
  clientKey: { KeyId: string; PrivateKeyData: string };
  clientKeyPassword: string;
  clientKeyAuthorization: string;
}

export const javaSdkVector = JSON.parse(fixtureText('java-sdk-vector.json')) as JavaSdkVector;
