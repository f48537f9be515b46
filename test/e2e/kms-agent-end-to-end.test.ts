import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sharedCacheClientKeys } from '../../src/cache/shared-cache-client.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { LocalDkms, LocalKmsAgent, LocalOss, SecretStore, type LocalDkmsClientFiles } from '../../src/testing/index.js';
import { leaksIn } from '../support/secret-scanner.js';
import { VirtualClock } from '../support/virtual-clock.js';

// The whole product with the KMS Agent as its source, on real sockets: configuration in code -> KMS Agent source
// (plain HTTP, X-KMS-Token from a file) -> LocalKmsAgent (TTL cache in front of the secret store) -> cache ->
// ProxyBucket -> ali-oss -> LocalOss (V1 signatures verified, keys revoked at run time). The agent's TTL runs on
// a virtual clock the test moves; everything else runs in real time.
const SECRET = 'oss-ram-ak';
const BUCKET = 'agent-bucket';
const TTL_MS = 300_000;
const FETCH_TIMEOUT_MS = 3_000;
let store: SecretStore;
let agentClock: VirtualClock;
let agent: LocalKmsAgent;
let dkms: LocalDkms;
let dkmsFiles: LocalDkmsClientFiles;
let oss: LocalOss;
let dir: string;
let tokenFile: string;
let keyNumber = 0;
let dkmsCallsBefore = 0;
let currentKey: { accessKeyId: string; accessKeySecret: string };
const buckets: ProxyBucket[] = [];

function newKey(): { accessKeyId: string; accessKeySecret: string } {
  keyNumber++;
  return { accessKeyId: `LTAI-AGENT-E2E-${keyNumber}`, accessKeySecret: `agent-e2e-secret-${keyNumber}-abcdefghijklmnop` };
}

/** An emergency rotation: KMS has the new key at once, OSS refuses the old one at once, the agent still caches it. */
function rotateAndRevoke(): void {
  const old = currentKey;
  currentKey = newKey();
  oss.keys.add(currentKey);
  store.rotate(SECRET, currentKey);
  oss.keys.revoke(old.accessKeyId);
}

function bucket(options: { withDkms?: boolean; token?: string } = {}): ProxyBucket {
  const created = new ProxyBucket({
    secretName: SECRET,
    ...oss.clientOptions(BUCKET),
    config: {
      cache_client_kms_agent_config_info: [{ endpoint: agent.endpoint, tokenFromFilePath: options.token ?? tokenFile }],
      ...(options.withDkms === true && {
        cache_client_dkms_config_info: [
          {
            regionId: 'cn-local',
            endpoint: dkms.endpoint,
            clientKeyFile: dkmsFiles.clientKeyFile,
            passwordFromFilePath: dkmsFiles.passwordFile,
            caFilePath: dkmsFiles.caFile,
          },
        ],
      }),
      rotation_interval: 3_600_000,
      refresh_jitter_max: 0,
      fetch_timeout: FETCH_TIMEOUT_MS,
    },
  });
  buckets.push(created);
  return created;
}

beforeAll(async () => {
  store = new SecretStore();
  [dkms, oss] = await Promise.all([LocalDkms.start({ store }), LocalOss.start({ buckets: [BUCKET] })]);
  dir = await mkdtemp(join(tmpdir(), 'amc-agent-e2e-'));
  dkmsFiles = await dkms.writeClientFiles(dir);
  tokenFile = join(dir, 'kmstoken');
});

afterAll(async () => {
  await Promise.all([dkms.close(), oss.close()]);
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  currentKey = newKey();
  oss.keys.add(currentKey);
  store.setRamCredential(SECRET, { ...currentKey, rotationIntervalMs: 7 * 24 * 3600_000 });
  agentClock = new VirtualClock(Date.now());
  agent = await LocalKmsAgent.start({ store, clock: agentClock, ttlMs: TTL_MS });
  await agent.writeTokenFile(tokenFile);
  dkmsCallsBefore = dkms.getSecretValueCount(SECRET);
});

afterEach(async () => {
  await Promise.all(buckets.splice(0).map((created) => created.shutdown()));
  await agent.close();
  expect(sharedCacheClientKeys()).toEqual([]);
});

describe('ProxyBucket reading its key through the KMS Agent', () => {
  it('puts and gets with the key the agent serves: one agent call, no KMS instance or region needed', async () => {
    const agentBucket = bucket();
    await agentBucket.put('hello.txt', Buffer.from('hello through the agent'));
    expect((await agentBucket.get('hello.txt')).content.toString()).toBe('hello through the agent');
    expect(agentBucket.accessKeyId).toBe(currentKey.accessKeyId);
    expect(agent.requests).toEqual([expect.objectContaining({ secretName: SECRET, token: 'accepted', httpStatus: 200 })]);
  });

  it('picks up a rotated key once the agent has refreshed (after its TTL)', async () => {
    const agentBucket = bucket();
    await agentBucket.put('before.txt', Buffer.from('1'));
    rotateAndRevoke();
    await agentClock.advance(TTL_MS); // the agent's cache entry expires: its next answer is the new key
    await agentBucket.put('after.txt', Buffer.from('2'));
    expect(agentBucket.accessKeyId).toBe(currentKey.accessKeyId);
    expect(oss.getObject(BUCKET, 'after.txt')?.body.toString()).toBe('2');
    expect(agent.requests.map((request) => request.served)).toEqual(['miss', 'refresh']);
  });

  it('after a revoke within the TTL and without a direct source: fails with a clear error within the deadline, then recovers after the TTL', async () => {
    const agentBucket = bucket();
    await agentBucket.put('before.txt', Buffer.from('1'));
    const revokedKeyId = currentKey.accessKeyId;
    rotateAndRevoke();

    const startedAt = performance.now();
    const error = await agentBucket.put('during.txt', Buffer.from('2')).then(
      () => undefined,
      (failure: unknown) => failure as Error & { code?: string },
    );
    expect(performance.now() - startedAt).toBeLessThan(FETCH_TIMEOUT_MS + 1_000);
    expect(error?.code).toBe('InvalidAccessKeyId');
    expect(error?.message).toContain('the KMS Agent still serves this AccessKey');
    expect(agentBucket.accessKeyId).toBe(revokedKeyId);
    expect(oss.getObject(BUCKET, 'during.txt')).toBeUndefined();
    // The agent was asked again and still served the revoked key from its cache.
    expect(agent.requests.map((request) => request.served)).toEqual(['miss', 'cache']);

    await agentClock.advance(TTL_MS);
    let recovered = false;
    const deadline = performance.now() + 15_000;
    while (!recovered && performance.now() < deadline) {
      recovered = await agentBucket.put('after.txt', Buffer.from('3')).then(
        () => true,
        () => false,
      );
    }
    expect(recovered).toBe(true);
    expect(agentBucket.accessKeyId).toBe(currentKey.accessKeyId);
  });

  it('after a revoke within the TTL with a KMS instance configured as well: recovers at once through the instance', async () => {
    const agentBucket = bucket({ withDkms: true });
    await agentBucket.put('before.txt', Buffer.from('1'));
    expect(dkms.getSecretValueCount(SECRET) - dkmsCallsBefore).toBe(0); // the agent comes first
    rotateAndRevoke();

    await agentBucket.put('after.txt', Buffer.from('2'));
    expect(agentBucket.accessKeyId).toBe(currentKey.accessKeyId);
    expect(oss.getObject(BUCKET, 'after.txt')?.body.toString()).toBe('2');
    expect(agent.requests.map((request) => request.served)).toEqual(['miss', 'cache']); // asked first, still the old key
    expect(dkms.getSecretValueCount(SECRET) - dkmsCallsBefore).toBe(1); // then the instance, once
  });

  it('with a wrong token: the first call fails with a clear error that does not echo the token', async () => {
    const wrongTokenFile = join(dir, 'wrong-token');
    const wrongToken = 'wrong-agent-token-0123456789abcdef';
    await writeFile(wrongTokenFile, wrongToken);
    const agentBucket = bucket({ token: wrongTokenFile });
    const error = await agentBucket.put('never.txt', Buffer.from('x')).then(
      () => undefined,
      (failure: unknown) => failure as Error & { code?: string },
    );
    expect(error).toBeInstanceOf(Error);
    expect(JSON.stringify({ code: error?.code, message: error?.message })).toMatch(/AgentTokenRefused|refused the token/);
    expect(error?.message).toContain(wrongTokenFile);
    const secrets = [
      { label: 'wrong token', value: wrongToken },
      { label: 'agent token', value: agent.token },
    ];
    expect(leaksIn('error', error, secrets)).toEqual([]);
    expect(agent.requests.every((request) => request.token === 'wrong')).toBe(true);
  });
});
