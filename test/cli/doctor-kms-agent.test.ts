import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { LocalKmsAgent, SecretStore } from '../../src/testing/index.js';
import { collectingEnvironment } from './cli-test-io.js';

// doctor with a KMS Agent entry, against LocalKmsAgent on a real socket: each of the three steps (reachable,
// token accepted, secret served) is reported, and a failure says what to fix. The token is never printed.
const SECRET = 'oss-doctor-agent';
const KEY = { accessKeyId: 'LTAI5tDoctorAgent', accessKeySecret: 'doctor-agent-secret-never-printed' };
const WRONG_TOKEN = 'wrong-doctor-token-never-printed-0123';
let agent: LocalKmsAgent;
let dir: string;
let tokenFile: string;
const outputs: string[] = [];

async function doctor(entry: Record<string, unknown>, secret = SECRET): Promise<{ code: number; out: string }> {
  const file = join(dir, `doctor-${outputs.length}.properties`);
  await writeFile(file, `cache_client_kms_agent_config_info=[${JSON.stringify({ endpoint: agent.endpoint, ...entry })}]\nsecret_names=${secret}\n`);
  const io = collectingEnvironment({});
  const code = await runCli(['doctor', '--config', file], io);
  outputs.push(io.out(), io.err());
  return { code, out: io.out() };
}

beforeAll(async () => {
  const store = new SecretStore();
  store.setRamCredential(SECRET, KEY);
  agent = await LocalKmsAgent.start({ store });
  dir = await mkdtemp(join(tmpdir(), 'doctor-agent-test-'));
  tokenFile = join(dir, 'kmstoken');
  await agent.writeTokenFile(tokenFile);
});

afterAll(async () => {
  await agent.close();
  await rm(dir, { recursive: true, force: true });
  const everything = outputs.join('\n');
  for (const secret of [agent.token, WRONG_TOKEN, KEY.accessKeySecret]) expect(everything).not.toContain(secret);
});

describe('doctor with a KMS Agent', () => {
  it('passes when the agent is reachable, takes the token and serves the secret', async () => {
    const { code, out } = await doctor({ tokenFromFilePath: tokenFile });
    expect(code).toBe(0);
    expect(out).toMatch(/cache_client_kms_agent_config_info +1 KMS Agent +file/);
    expect(out).toContain(`KMS Agent [0] ${agent.endpoint}: token from file ${tokenFile}`);
    expect(out).toMatch(new RegExp(`ok +kms-agent\\(${agent.endpoint.replace(/\./g, '\\.')}\\): .*key ${KEY.accessKeyId}.*agent reachable, token accepted, secret served`));
  });

  it('reports a refused token and says to point tokenFromFilePath at the current token', async () => {
    const wrongFile = join(dir, 'wrong-token');
    await writeFile(wrongFile, WRONG_TOKEN);
    const { code, out } = await doctor({ tokenFromFilePath: wrongFile });
    expect(code).toBe(1);
    expect(out).toContain('reachable: yes, token accepted: no, secret served: no');
    expect(out).toContain('Kms.AgentTokenRefused');
    expect(out).toContain("Point tokenFromFilePath at the agent's current token file");
  });

  it('reports a missing token without claiming anything about the agent', async () => {
    const { code, out } = await doctor({ tokenFromFilePath: join(dir, 'not-written-yet') });
    expect(code).toBe(1);
    expect(out).toContain('reachable: not checked, token accepted: no, secret served: no');
    expect(out).toContain('Kms.AgentTokenUnavailable');
    expect(out).toContain('set tokenFromFilePath of the entry to the file the agent writes');
  });

  it('reports a secret the agent does not serve', async () => {
    const { code, out } = await doctor({ tokenFromFilePath: tokenFile }, 'no-such-secret');
    expect(code).toBe(1);
    expect(out).toContain('reachable: yes, token accepted: yes, secret served: no');
    expect(out).toContain('The agent does not serve secret "no-such-secret"');
  });

  it('reports an agent that is not running, with the next step for a host agent and for the ACK sidecar', async () => {
    const stopped = await LocalKmsAgent.start({ store: new SecretStore() });
    const endpoint = stopped.endpoint;
    await stopped.close();
    const { code, out } = await doctor({ endpoint, tokenFromFilePath: tokenFile });
    expect(code).toBe(1);
    expect(out).toContain('reachable: no, token accepted: not checked, secret served: no');
    expect(out).toContain(`Nothing listens at ${endpoint}: start the KMS Agent`);
    expect(out).toContain('sidecar was injected');
  });
});
