import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sharedCacheClientKeys } from '../../src/cache/shared-cache-client.js';
import { CONFIG_FILE_ENV_VAR, ConfigLoader, DEFAULT_CONFIG_NAME } from '../../src/config/config-loader.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { LocalDkms, LocalOss, type LocalDkmsClientFiles } from '../../src/testing/index.js';

// ProxyBucket({ config }) over the real stack: no properties file, no environment, only code.
const SECRET = 'code-configured-ak';
const BUCKET = 'code-config-bucket';
const KEY = { accessKeyId: 'LTAI-CODE-1', accessKeySecret: 'code-secret-1-abcdefghijklmnop' };
let dkms: LocalDkms;
let oss: LocalOss;
let dir: string;
let files: LocalDkmsClientFiles;

function dkmsEntry(): object {
  return {
    regionId: 'cn-local',
    endpoint: dkms.endpoint,
    clientKeyFile: files.clientKeyFile,
    passwordFromFilePath: files.passwordFile,
    caFilePath: files.caFile,
  };
}

beforeAll(async () => {
  [dkms, oss] = await Promise.all([LocalDkms.start(), LocalOss.start({ buckets: [BUCKET] })]);
  dir = await mkdtemp(join(tmpdir(), 'amc-code-config-'));
  files = await dkms.writeClientFiles(dir);
  oss.keys.add(KEY);
  dkms.setRamCredential(SECRET, { ...KEY, rotationIntervalMs: 7 * 24 * 3600_000 });
});

afterAll(async () => {
  await Promise.all([dkms.close(), oss.close()]);
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
  expect(sharedCacheClientKeys()).toEqual([]);
});

describe('ProxyBucket configured in code', () => {
  it('puts and gets with no properties file and no environment', async () => {
    expect(existsSync(join(process.cwd(), DEFAULT_CONFIG_NAME))).toBe(false);
    expect(process.env[CONFIG_FILE_ENV_VAR]).toBeUndefined();
    expect(process.env.cache_client_dkms_config_info).toBeUndefined();

    const bucket = new ProxyBucket({
      secretName: SECRET,
      ...oss.clientOptions(BUCKET),
      config: { cache_client_dkms_config_info: [dkmsEntry()], rotation_interval: 3_600_000, refresh_jitter_max: 0 },
    });
    await bucket.put('from-code.txt', Buffer.from('configured in code'));
    const result = await bucket.get('from-code.txt');
    expect(Buffer.from(result.content as Buffer).toString()).toBe('configured in code');
    expect(bucket.accessKeyId).toBe(KEY.accessKeyId);
    await bucket.shutdown();
  });

  it('wins over an environment variable of the same key', async () => {
    // Alone, this entry fails to load: its ClientKey file does not exist.
    vi.stubEnv(
      'cache_client_dkms_config_info',
      JSON.stringify([{ regionId: 'cn-local', endpoint: '127.0.0.1:1', clientKeyFile: join(dir, 'missing-client-key.json') }]),
    );
    expect(() => new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET) })).toThrow(
      expect.objectContaining({ name: 'ConfigError', key: 'cache_client_dkms_config_info' }),
    );

    const bucket = new ProxyBucket({
      secretName: SECRET,
      ...oss.clientOptions(BUCKET),
      config: { cache_client_dkms_config_info: [dkmsEntry()] },
    });
    await bucket.put('code-over-env.txt', Buffer.from('code wins'));
    expect(oss.getObject(BUCKET, 'code-over-env.txt')?.body.toString()).toBe('code wins');
    await bucket.shutdown();
  });

  it('shares one cache between buckets of equal configuration, and not across different ones', async () => {
    const config = { cache_client_dkms_config_info: [dkmsEntry()], rotation_interval: 3_600_000 };
    const first = new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET), config });
    const second = new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET), config: { ...config } });
    expect(sharedCacheClientKeys()).toHaveLength(1);
    const other = new ProxyBucket({
      secretName: SECRET,
      ...oss.clientOptions(BUCKET),
      config: { ...config, rotation_interval: 7_200_000 },
    });
    expect(sharedCacheClientKeys()).toHaveLength(2);
    await Promise.all([first.shutdown(), second.shutdown(), other.shutdown()]);
  });

  it('refuses config together with cacheClient', () => {
    expect(
      () =>
        new ProxyBucket({
          secretName: SECRET,
          ...oss.clientOptions(BUCKET),
          config: { cache_client_dkms_config_info: [dkmsEntry()] },
          cacheClient: { getCredential: async () => KEY, peekCredential: () => undefined, refreshNow: async () => ({ changed: false }) } as never,
        }),
    ).toThrow(expect.objectContaining({ code: 'ProxyBucket.InvalidOptions', message: expect.stringContaining('"config"') }));
  });
});

describe('a properties file written for the official Go provider', () => {
  it('loads unchanged: caCert verifies TLS, passwordFromFilePathName finds the password file', async () => {
    const file = join(dir, 'go-provider.properties');
    const entry = {
      regionId: 'cn-local',
      endpoint: dkms.endpoint,
      clientKeyFile: files.clientKeyFile,
      passwordFromFilePathName: 'client_key_password_from_file_path',
      ignoreSslCerts: false,
      caCert: files.caFile,
    };
    await writeFile(
      file,
      [`cache_client_dkms_config_info=${JSON.stringify([entry])}`, `client_key_password_from_file_path=${files.passwordFile}`, ''].join('\n'),
    );
    ConfigLoader.setConfigName(file);
    try {
      const bucket = new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET) });
      await bucket.put('go-shaped.txt', Buffer.from('from a Go provider file'));
      expect(oss.getObject(BUCKET, 'go-shaped.txt')?.body.toString()).toBe('from a Go provider file');
      await bucket.shutdown();
    } finally {
      ConfigLoader.setConfigName(undefined);
    }
  });
});

describe('the logger option', () => {
  it('receives the configuration warnings instead of process warnings, once per configuration and logger', async () => {
    const processWarnings: string[] = [];
    const onWarning = (warning: Error) => processWarnings.push(warning.message);
    process.on('warning', onWarning);
    const logged: string[] = [];
    const logger = { warn: (message: string) => logged.push(message) };
    // A typo'd key makes a warning; the key 4_800_000 makes this configuration unlike the other tests'.
    const config = { cache_client_dkms_config_info: [dkmsEntry()], rotation_interval: 4_800_000, rotation_intervall: 1 } as never;
    try {
      const first = new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET), config, logger });
      const second = new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET), config, logger });
      expect(logged).toEqual([expect.stringMatching(/^\[ALI_OSS_MC_CONFIG_UnknownKey\] unknown key "rotation_intervall".*rotation_interval/)]);

      const otherLogged: string[] = [];
      const third = new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET), config, logger: { warn: (m: string) => otherLogged.push(m) } });
      expect(otherLogged).toHaveLength(1);
      await first.put('logged.txt', Buffer.from('x'));
      await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on the next tick
      expect(processWarnings.filter((message) => message.includes('rotation_intervall'))).toEqual([]);
      await Promise.all([first.shutdown(), second.shutdown(), third.shutdown()]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('is checked: an object without warn is refused', () => {
    expect(
      () => new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET), config: { cache_client_dkms_config_info: [dkmsEntry()] }, logger: {} as never }),
    ).toThrow(expect.objectContaining({ code: 'ProxyBucket.InvalidOptions', message: expect.stringContaining('"logger"') }));
  });
});

describe('ProxyBucket configured in code: secrets stay out of sight', () => {
  it('a ClientKey password given in code reaches no message, inspect or JSON, right or wrong', async () => {
    const { inspect } = await import('node:util');
    const { passwordFromFilePath: _file, ...entryWithoutPassword } = dkmsEntry() as Record<string, unknown>;
    const right = dkms.clientKey.password;
    const bucket = new ProxyBucket({
      secretName: SECRET,
      ...oss.clientOptions(BUCKET),
      config: { cache_client_dkms_config_info: [entryWithoutPassword], client_key_password: right },
    });
    await bucket.put('password-in-code.txt', Buffer.from('ok'));
    const views = [String(bucket), JSON.stringify(bucket), inspect(bucket, { depth: Infinity, showHidden: true, getters: true })];
    for (const view of views) expect(view).not.toContain(right);
    await bucket.shutdown();

    const wrong = 'a-wrong-password-typed-in-code-0000';
    let error: unknown;
    try {
      const broken = new ProxyBucket({
        secretName: SECRET,
        ...oss.clientOptions(BUCKET),
        config: { cache_client_dkms_config_info: [entryWithoutPassword], client_key_password: wrong },
      });
      await broken.put('never.txt', Buffer.from('x')).finally(() => broken.shutdown());
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: 'ConfigError', code: 'ConfigError.WrongPassword' });
    const errorViews = [String(error), JSON.stringify(error), inspect(error, { depth: Infinity, showHidden: true }), (error as Error).stack ?? ''];
    for (const view of errorViews) {
      expect(view).not.toContain(wrong);
      expect(view).not.toContain(right);
    }
  });
});
