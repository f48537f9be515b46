import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { clientKeyFromPem, DkmsSecretSource } from '../../src/kms/dkms/index.js';
import { LocalDkms, LocalKmsAgent, SecretStore } from '../../src/testing/index.js';
import { VirtualClock } from '../support/virtual-clock.js';

// LocalKmsAgent in front of a real KMS emulator: the agent's own KMS load, its TTL, IgnoreTransientErrors.
const SECRET = 'agent-upstream';
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function get(agent: LocalKmsAgent, path: string, headers: Record<string, string> = { 'x-kms-token': agent.token }) {
  const response = await fetch(`http://${agent.endpoint}${path}`, { headers });
  return { status: response.status, body: await response.text() };
}

async function agentOverDkms(options: { ttlMs?: number } = {}) {
  const clock = new VirtualClock(Date.now());
  const store = new SecretStore();
  store.setRamCredential(SECRET, { accessKeyId: 'LTAI-UP-1', accessKeySecret: 'up-secret-1' });
  const dkms = await LocalDkms.start({ store });
  closers.push(() => dkms.close());
  const files = dkms.clientKey;
  const source = new DkmsSecretSource({ endpoint: dkms.endpoint, clientKey: clientKeyFromPem(files.keyId, files.privateKeyPem), ca: dkms.caBundlePem });
  closers.push(() => source.close());
  const agent = await LocalKmsAgent.start({ source, clock, ...options });
  closers.push(() => agent.close());
  return { clock, store, dkms, agent };
}

describe('LocalKmsAgent', () => {
  it('in front of LocalDkms: one KMS call per TTL however many requests, concurrent misses share it', async () => {
    const { clock, store, dkms, agent } = await agentOverDkms({ ttlMs: 60_000 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(agent, `/v1/${SECRET}`)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(JSON.parse(answers[0]!.body)).toMatchObject({ SecretName: SECRET, SecretType: 'RAMCredentials', VersionStages: { VersionStage: ['ACSCurrent'] } });
    expect(dkms.getSecretValueCount(SECRET)).toBe(1);
    store.rotate(SECRET, { accessKeyId: 'LTAI-UP-2', accessKeySecret: 'up-secret-2' });
    await clock.advance(60_000);
    expect(JSON.parse(JSON.parse((await get(agent, `/v1/${SECRET}`)).body).SecretData).AccessKeyId).toBe('LTAI-UP-2');
    expect(dkms.getSecretValueCount(SECRET)).toBe(2);
    expect(agent.upstreamCallCount).toBe(2);
  });

  it('serves the cached value when a refresh fails (IgnoreTransientErrors), and passes the failure on without one', async () => {
    const { clock, dkms, agent } = await agentOverDkms({ ttlMs: 1_000 });
    expect((await get(agent, `/v1/${SECRET}`)).status).toBe(200);
    await clock.advance(1_000);
    dkms.injectFault({ kind: 'serviceUnavailable' }, { times: 2 });
    expect((await get(agent, `/v1/${SECRET}`)).status).toBe(200);
    expect(agent.requests.at(-1)).toMatchObject({ served: 'stale' });
    agent.invalidate();
    const failed = await get(agent, `/v1/${SECRET}`);
    expect(failed.status).toBe(503);
    expect(JSON.parse(failed.body)).toMatchObject({ Code: 'ServiceUnavailableTemporary' });
  });

  it('checks the token (X-KMS-Token or X-Vault-Token) before anything else, and logs no token', async () => {
    const store = new SecretStore();
    store.setSecret('generic', { secretData: 'plain value' });
    const agent = await LocalKmsAgent.start({ store, token: 'the-agent-token-1234567890' });
    closers.push(() => agent.close());
    expect((await get(agent, '/v1/generic', {})).status).toBe(401);
    expect((await get(agent, '/v1/generic', { 'x-kms-token': 'the-agent-token-1234567899' })).status).toBe(401);
    expect((await get(agent, '/secretsmanager/get?secretId=generic', { 'x-vault-token': agent.token })).status).toBe(200);
    expect((await get(agent, '/v1/missing')).status).toBe(404);
    expect(agent.requests.map((request) => [request.token, request.httpStatus])).toEqual([
      ['missing', 401],
      ['wrong', 401],
      ['accepted', 200],
      ['accepted', 404],
    ]);
    expect(JSON.stringify(agent.requests)).not.toContain(agent.token);
    expect(inspect(agent, { depth: Infinity, showHidden: true })).not.toContain(agent.token);
    expect(agent.upstreamCallCount).toBe(2);
  });

  it('needs exactly one of store and source', async () => {
    await expect(LocalKmsAgent.start({})).rejects.toThrow('exactly one of store and source');
  });
});
