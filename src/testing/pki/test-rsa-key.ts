import { generateKeyPairSync, type KeyObject } from 'node:crypto';

/** An RSA key pair for test certificates and client keys. */
export interface TestRsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

// RSA-2048 generation costs ~100-300 ms; tests build many certificates, so keys are reused per process.
const keyCache = new Map<string, TestRsaKeyPair>();

/**
 * A per-process cached RSA-2048 key pair for `label`: the same label always returns the same key, different
 * labels give different keys. Uses Node's native generator (node-forge's pure-JS one is far slower).
 * TEST ONLY: the keys live in memory for the life of the process.
 */
export function testRsaKeyPair(label = 'default'): TestRsaKeyPair {
  let pair = keyCache.get(label);
  if (!pair) {
    pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyCache.set(label, pair);
  }
  return pair;
}
