import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KmsAgentSecretSource, type KmsAgentSourceOptions } from '../../../src/kms/agent/kms-agent-secret-source.js';
import { KmsError, KmsErrorCode } from '../../../src/kms/kms-error.js';
import { LocalKmsAgent, SecretStore } from '../../../src/testing/index.js';
import { ScriptedHttpServer } from '../../support/scripted-http-server.js';
import { leaksIn } from '../../support/secret-scanner.js';
import { VirtualClock } from '../../support/virtual-clock.js';

// The KMS Agent source against LocalKmsAgent over real sockets on 127.0.0.1.
const SECRET = 'oss-ram-ak';
const KEY_1 = { accessKeyId: 'LTAI-AGENT-1', accessKeySecret: 'agent-secret-1-abcdefghijklmnop' };
const KEY_2 = { accessKeyId: 'LTAI-AGENT-2', accessKeySecret: 'agent-secret-2-abcdefghijklmnop' };

let dir: string;
let tokenFile: string;
let store: SecretStore;
let clock: VirtualClock;
let agent: LocalKmsAgent;
const sources: KmsAgentSecretSource[] = [];

function source(options: KmsAgentSourceOptions = {}): KmsAgentSecretSource {
  const created = new KmsAgentSecretSource({ endpoint: agent.endpoint, tokenFromFilePath: tokenFile, ...options });
  sources.push(created);
  return created;
}

async function rejection(promise: Promise<unknown>): Promise<KmsError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(KmsError);
  return error as KmsError;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'amc-agent-'));
  tokenFile = join(dir, 'kmstoken');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  clock = new VirtualClock(Date.now());
  store = new SecretStore({ clock });
  store.setRamCredential(SECRET, { ...KEY_1, rotationIntervalMs: 7 * 24 * 3600_000 });
  agent = await LocalKmsAgent.start({ store, clock, token: 'agent-token-0123456789abcdef' });
  await agent.writeTokenFile(tokenFile);
});

afterEach(async () => {
  for (const created of sources.splice(0)) created.close();
  await agent.close();
});

describe('KmsAgentSecretSource against LocalKmsAgent', () => {
  it('reads a secret with GET /v1/<name> and the token, as KMS GetSecretValue JSON (ResponseType 0)', async () => {
    const info = await source().getSecretValue({ secretName: SECRET });
    expect(JSON.parse(info.secretData)).toMatchObject({ AccessKeyId: KEY_1.accessKeyId, AccessKeySecret: KEY_1.accessKeySecret });
    expect(info).toMatchObject({ secretName: SECRET, secretType: 'RAMCredentials', versionStages: ['ACSCurrent'] });
    expect(info.extendedConfig).toMatchObject({ SecretSubType: 'RamUserAccessKey' });
    expect(info.rotationIntervalMs).toBe(7 * 24 * 3600_000);
    expect(agent.requests).toEqual([expect.objectContaining({ method: 'GET', secretName: SECRET, token: 'accepted', served: 'miss', httpStatus: 200 })]);
  });

  it('serves the cached version until the TTL passes, then the rotated one', async () => {
    const agentSource = source();
    await agentSource.getSecretValue({ secretName: SECRET });
    store.rotate(SECRET, KEY_2);
    await clock.advance(299_999);
    expect(JSON.parse((await agentSource.getSecretValue({ secretName: SECRET })).secretData).AccessKeyId).toBe(KEY_1.accessKeyId);
    await clock.advance(1);
    expect(JSON.parse((await agentSource.getSecretValue({ secretName: SECRET })).secretData).AccessKeyId).toBe(KEY_2.accessKeyId);
    expect(agent.requests.map((request) => request.served)).toEqual(['miss', 'cache', 'refresh']);
    expect(agent.upstreamCallCount).toBe(2);
  });

  it('refuses a wrong token with Kms.AgentTokenRefused, naming where the token came from but never the token', async () => {
    const wrong = 'wrong-token-fedcba9876543210-zyx';
    await writeFile(tokenFile, wrong);
    const error = await rejection(source().getSecretValue({ secretName: SECRET }));
    expect(error).toMatchObject({ code: KmsErrorCode.AgentTokenRefused, httpStatus: 401, retryable: false });
    expect(error.message).toContain(`file ${tokenFile}`);
    const secrets = [
      { label: 'sent token', value: wrong },
      { label: 'agent token', value: agent.token },
    ];
    expect(leaksIn('error', error, secrets)).toEqual([]);
    expect(leaksIn('source', source(), secrets)).toEqual([]);
    expect(agent.requests[0]).toMatchObject({ token: 'wrong', httpStatus: 401 });
  });

  it('reads the token file at every request, so a token the agent rewrote is picked up at once', async () => {
    const agentSource = source();
    await agentSource.getSecretValue({ secretName: SECRET });
    agent.setToken('restarted-agent-token-0123456789'); // the agent restarted with a new token ...
    expect((await rejection(agentSource.getSecretValue({ secretName: SECRET }))).code).toBe(KmsErrorCode.AgentTokenRefused);
    await agent.writeTokenFile(tokenFile); // ... and wrote it to its file
    await expect(agentSource.getSecretValue({ secretName: SECRET })).resolves.toMatchObject({ secretName: SECRET });
  });

  it('takes the token from tokenFromEnvVariable, as a value or file://<path>', async () => {
    await expect(
      source({ tokenFromFilePath: undefined, tokenFromEnvVariable: 'MY_AGENT_TOKEN', env: { MY_AGENT_TOKEN: agent.token } }).getSecretValue({ secretName: SECRET }),
    ).resolves.toMatchObject({ secretName: SECRET });
    await expect(
      source({ tokenFromFilePath: undefined, tokenFromEnvVariable: 'MY_AGENT_TOKEN', env: { MY_AGENT_TOKEN: `file://${tokenFile}` } }).getSecretValue({
        secretName: SECRET,
      }),
    ).resolves.toMatchObject({ secretName: SECRET });
    const unset = await rejection(
      source({ tokenFromFilePath: undefined, tokenFromEnvVariable: 'MY_AGENT_TOKEN', env: {} }).getSecretValue({ secretName: SECRET }),
    );
    expect(unset).toMatchObject({ code: KmsErrorCode.AgentTokenUnavailable, retryable: false });
    expect(unset.message).toContain('MY_AGENT_TOKEN');
    expect(agent.callCount).toBe(2); // nothing is sent without a token
  });

  it("without a token setting, follows the agent's own order: KMS_TOKEN, KMS_SESSION_TOKEN, KMS_CONTAINER_AUTHORIZATION_TOKEN, then its token file", async () => {
    const missingFile = join(dir, 'no-such-token');
    const withEnv = (env: Record<string, string>, defaultTokenFile = missingFile) =>
      source({ tokenFromFilePath: undefined, env, defaultTokenFile }).getSecretValue({ secretName: SECRET });
    await expect(withEnv({ KMS_TOKEN: agent.token, KMS_SESSION_TOKEN: 'not-this-one' })).resolves.toBeDefined();
    await expect(withEnv({ KMS_SESSION_TOKEN: agent.token, KMS_CONTAINER_AUTHORIZATION_TOKEN: 'not-this-one' })).resolves.toBeDefined();
    await expect(withEnv({ KMS_CONTAINER_AUTHORIZATION_TOKEN: `file://${tokenFile}` })).resolves.toBeDefined();
    await expect(withEnv({}, tokenFile)).resolves.toBeDefined();
    const none = await rejection(withEnv({ KMS_SESSION_TOKEN: `file://${missingFile}` }));
    expect(none.code).toBe(KmsErrorCode.AgentTokenUnavailable);
    expect(none.message).toContain('KMS_TOKEN, KMS_SESSION_TOKEN, KMS_CONTAINER_AUTHORIZATION_TOKEN');
    expect(none.message).toContain(`KMS_SESSION_TOKEN names file ${missingFile}, which does not exist`);
    expect(none.message).toContain(`the file ${missingFile} does not exist`);
  });

  it('passes on the KMS code of a secret the agent cannot serve (not retryable)', async () => {
    const error = await rejection(source().getSecretValue({ secretName: 'no-such-secret' }));
    expect(error).toMatchObject({ code: 'Forbidden.ResourceNotFound', httpStatus: 404, retryable: false });
  });

  it('reports an agent that is not running as a retryable Kms.NetworkError (ECONNREFUSED)', async () => {
    const endpoint = agent.endpoint;
    await agent.close();
    const error = await rejection(source({ endpoint }).getSecretValue({ secretName: SECRET }));
    expect(error).toMatchObject({ code: KmsErrorCode.NetworkError, retryable: true, cause: expect.objectContaining({ code: 'ECONNREFUSED' }) });
    expect(error.message).toContain('is the KMS Agent running there?');
  });

  it('refuses a version stage other than ACSCurrent, and calls after close()', async () => {
    const agentSource = source();
    expect((await rejection(agentSource.getSecretValue({ secretName: SECRET, versionStage: 'ACSPrevious' }))).code).toBe(KmsErrorCode.InvalidOptions);
    agentSource.close();
    expect((await rejection(agentSource.getSecretValue({ secretName: SECRET }))).code).toBe(KmsErrorCode.SourceClosed);
  });
});

describe('KmsAgentSecretSource: answers that are not a secret', () => {
  let server: ScriptedHttpServer;
  beforeEach(async () => {
    server = await ScriptedHttpServer.start();
  });
  afterEach(async () => {
    await server.stop();
  });
  const ask = () => source({ endpoint: server.hostPort }).getSecretValue({ secretName: SECRET });

  it('a 404 without a KMS code is Kms.SecretNotFound', async () => {
    server.answer = () => ({ status: 404, body: 'page not found' });
    expect(await rejection(ask())).toMatchObject({ code: KmsErrorCode.SecretNotFound, httpStatus: 404, retryable: false });
  });

  it('a 403 with a token-unrelated KMS code keeps that code; any other 403 is a refused token', async () => {
    server.answer = () => ({ status: 403, body: JSON.stringify({ Code: 'Forbidden.NoPermission', Message: 'no permission' }) });
    expect(await rejection(ask())).toMatchObject({ code: 'Forbidden.NoPermission', httpStatus: 403 });
    server.answer = () => ({ status: 403, body: 'forbidden' });
    expect(await rejection(ask())).toMatchObject({ code: KmsErrorCode.AgentTokenRefused, httpStatus: 403 });
  });

  it('a body that is not GetSecretValue JSON, or one for another secret, is Kms.InvalidResponse', async () => {
    server.answer = () => ({ status: 200, body: '<html>' });
    expect(await rejection(ask())).toMatchObject({ code: KmsErrorCode.InvalidResponse, retryable: false });
    server.answer = () => ({ status: 200, body: JSON.stringify({ SecretName: SECRET }) });
    expect((await rejection(ask())).message).toContain('SecretData');
    server.answer = () => ({ status: 200, body: JSON.stringify({ SecretName: 'other', SecretData: '{}' }) });
    expect((await rejection(ask())).message).toContain('with the secret "other"');
  });

  it('a 503 with a KMS code is retryable; one without is a retryable Kms.HttpError', async () => {
    server.answer = () => ({ status: 503, body: JSON.stringify({ Code: 'ServiceUnavailableTemporary', Message: 'busy' }) });
    expect(await rejection(ask())).toMatchObject({ code: 'ServiceUnavailableTemporary', retryable: true });
    server.answer = () => ({ status: 502, body: 'bad gateway' });
    expect(await rejection(ask())).toMatchObject({ code: KmsErrorCode.HttpError, httpStatus: 502, retryable: true });
  });

  it('sends the token in X-KMS-Token on a GET of /v1/<url-encoded name>', async () => {
    let seen: { method: string; url: string; token: unknown } | undefined;
    server.answer = (request) => {
      seen = { method: request.method, url: request.url, token: request.headers['x-kms-token'] };
      return { status: 200, body: JSON.stringify({ SecretName: 'a b/c', SecretData: 'x' }) };
    };
    await source({ endpoint: server.hostPort }).getSecretValue({ secretName: 'a b/c' });
    expect(seen).toEqual({ method: 'GET', url: '/v1/a%20b%2Fc', token: agent.token });
  });
});

describe('KmsAgentSecretSource: an agent that never answers', () => {
  it('ends at its own timeout (Kms.ReadTimeout), or at the call budget (Kms.FetchTimeout), both retryable', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const endpoint = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
      let startedAt = performance.now();
      expect(await rejection(source({ endpoint, timeoutMs: 150 }).getSecretValue({ secretName: SECRET }))).toMatchObject({
        code: KmsErrorCode.ReadTimeout,
        retryable: true,
      });
      expect(performance.now() - startedAt).toBeLessThan(2_000);
      startedAt = performance.now();
      expect(await rejection(source({ endpoint }).getSecretValue({ secretName: SECRET }, { timeoutMs: 150 }))).toMatchObject({
        code: KmsErrorCode.FetchTimeout,
        retryable: true,
      });
      expect(performance.now() - startedAt).toBeLessThan(2_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('KmsAgentSecretSource endpoint', () => {
  it.each(['127.0.0.1:2025', 'http://127.0.0.1:2025/', 'localhost:2025', '[::1]:2025', '127.1.2.3', '[::ffff:127.0.0.1]:2025'])('accepts the loopback address %s', (endpoint) => {
    expect(() => new KmsAgentSecretSource({ endpoint }).close()).not.toThrow();
  });

  it('defaults to 127.0.0.1:2025', () => {
    const agentSource = new KmsAgentSecretSource();
    expect(agentSource.description).toBe('kms-agent(127.0.0.1:2025)');
    agentSource.close();
  });

  it.each(['10.0.0.5:2025', 'kms-agent.internal:2025', '[2001:db8::1]:2025'])('refuses %s, not a loopback address, unless allowNonLoopback', (endpoint) => {
    expect(() => new KmsAgentSecretSource({ endpoint })).toThrow(expect.objectContaining({ code: KmsErrorCode.InvalidOptions, message: expect.stringContaining('not a loopback address') }));
    expect(() => new KmsAgentSecretSource({ endpoint, allowNonLoopback: true }).close()).not.toThrow();
  });

  it.each(['https://127.0.0.1:2025', '127.0.0.1:2025/v1', 'user@127.0.0.1:2025', ''])('refuses the malformed endpoint %j', (endpoint) => {
    expect(() => new KmsAgentSecretSource({ endpoint })).toThrow(expect.objectContaining({ code: KmsErrorCode.InvalidOptions }));
  });

  it('refuses both token settings at once', () => {
    expect(() => new KmsAgentSecretSource({ tokenFromFilePath: '/a', tokenFromEnvVariable: 'B' })).toThrow(
      expect.objectContaining({ code: KmsErrorCode.InvalidOptions }),
    );
  });
});
