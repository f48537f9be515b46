import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigLoader } from '../../src/config/config-loader.js';
import { KmsError } from '../../src/kms/kms-error.js';
import { secretSourceFromConfig } from '../../src/kms/secret-source-from-config.js';
import type { SecretSource } from '../../src/kms/secret-source.js';
import { LocalDkms } from '../../src/testing/dkms/local-dkms.js';

let dkms: LocalDkms;
let dir: string;

beforeAll(async () => {
  dkms = await LocalDkms.start();
  dkms.setSecret('oss-ram-ak', { secretData: 'x' });
  dir = await mkdtemp(join(tmpdir(), 'source-from-config-'));
});

afterAll(async () => {
  await dkms.close();
  await rm(dir, { recursive: true, force: true });
});

describe('secretSourceFromConfig', () => {
  it('bounds every fetch by fetch_timeout', async () => {
    const files = await dkms.writeClientFiles(dir);
    const config = ConfigLoader.load({
      cwd: dir,
      env: {},
      options: {
        cache_client_dkms_config_info: [
          { regionId: 'cn-hangzhou', endpoint: dkms.endpoint, clientKeyFile: files.clientKeyFile, passwordFromFilePath: files.passwordFile, caFilePath: files.caFile },
        ],
        fetch_timeout: 1000,
      },
    });
    const source: SecretSource = secretSourceFromConfig(config);
    try {
      expect((await source.getSecretValue({ secretName: 'oss-ram-ak' })).secretData).toBe('x');
      dkms.injectFault({ kind: 'latency', delayMs: 10_000 }, { times: Infinity });
      const startedAt = performance.now();
      const error = await source.getSecretValue({ secretName: 'oss-ram-ak' }).catch((e: unknown) => e);
      const elapsedMs = performance.now() - startedAt;
      expect(error).toBeInstanceOf(KmsError);
      expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true, message: expect.stringContaining('within 1000 ms') });
      expect(elapsedMs).toBeGreaterThanOrEqual(990);
      expect(elapsedMs).toBeLessThan(2_000);
    } finally {
      dkms.clearFaults();
      await source.close?.();
    }
  });
});
