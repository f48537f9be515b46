import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import type { LocalDkms } from '../../src/testing/dkms/index.js';
import { collectingEnvironment } from './cli-test-io.js';

/** Files and helpers for doctor tests over one LocalDkms whose client files live in `dir`. */
export interface DoctorFixture {
  /**
   * Writes `name` in the fixture's folder: a properties file with one KMS instance entry for the LocalDkms
   * (its ClientKey, password file and CA), `overrides` merged into the entry, and `secret_names`.
   */
  properties(name: string, overrides?: Record<string, unknown>, secretNames?: string): Promise<string>;
  /** Runs `doctor ...args`; the output is kept for {@link DoctorFixture.expectNoSecretPrinted}. */
  doctor(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** Fails when any output of this fixture's runs contains one of `secrets`. */
  expectNoSecretPrinted(secrets: readonly string[]): void;
}

/** A fixture writing into `dir` for `dkms` (call after `dkms.writeClientFiles(dir)` has written there). */
export async function createDoctorFixture(dir: string, dkms: LocalDkms): Promise<DoctorFixture> {
  const files = await dkms.writeClientFiles(dir);
  const outputs: string[] = [];
  return {
    async properties(name, overrides = {}, secretNames = 'oss-doctor-ak') {
      const entry = {
        regionId: 'cn-hangzhou',
        endpoint: dkms.endpoint,
        clientKeyFile: files.clientKeyFile,
        passwordFromFilePath: files.passwordFile,
        caFilePath: files.caFile,
        ...overrides,
      };
      const path = join(dir, name);
      await writeFile(path, `cache_client_dkms_config_info=[${JSON.stringify(entry)}]\nsecret_names=${secretNames}\n`);
      return path;
    },
    async doctor(...args) {
      const io = collectingEnvironment({});
      const code = await runCli(['doctor', ...args], io);
      outputs.push(io.out(), io.err());
      return { code, out: io.out(), err: io.err() };
    },
    expectNoSecretPrinted(secrets) {
      const everything = outputs.join('\n');
      for (const secret of secrets) expect(everything).not.toContain(secret);
    },
  };
}
