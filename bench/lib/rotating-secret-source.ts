import { SecretInfo } from '../../src/kms/secret-info.js';
import type { GetSecretValueRequest, SecretSource } from '../../src/kms/secret-source.js';
import type { BenchKey } from './stack.js';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * A SecretSource double that holds only the current version of one managed RAM credential, in memory, so
 * long benchmarks measure the library rather than an emulator's growing version history. The cache and
 * everything above it are the real code.
 */
export class RotatingSecretSource implements SecretSource {
  readonly description = 'bench-in-memory';
  /** GetSecretValue calls so far. */
  calls = 0;
  #current: SecretInfo;
  #version = 0;

  constructor(
    private readonly secretName: string,
    key: BenchKey,
  ) {
    this.#current = this.#info(key);
  }

  /** Makes `key` the current version, as a KMS rotation would. */
  rotate(key: BenchKey): void {
    this.#current = this.#info(key);
  }

  async getSecretValue(request: GetSecretValueRequest): Promise<SecretInfo> {
    this.calls++;
    if (request.secretName !== this.secretName) throw new Error(`unknown secret ${request.secretName}`);
    return this.#current;
  }

  #info(key: BenchKey): SecretInfo {
    this.#version++;
    const nowMs = Date.now();
    return new SecretInfo({
      secretName: this.secretName,
      secretType: 'RAMCredentials',
      secretData: JSON.stringify({
        AccessKeyId: key.accessKeyId,
        AccessKeySecret: key.accessKeySecret,
        GenerateTimestamp: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      }),
      secretDataType: 'text',
      versionId: String(this.#version).padStart(32, '0'),
      versionStages: ['ACSCurrent'],
      extendedConfig: { SecretSubType: 'RamUserAccessKey', UserName: 'bench' },
      automaticRotation: 'Enabled',
      rotationIntervalMs: WEEK_MS,
      lastRotationDateMs: nowMs,
      nextRotationDateMs: nowMs + WEEK_MS,
    });
  }
}
