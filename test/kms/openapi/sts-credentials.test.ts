import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RamCredentialsConfig } from '../../../src/config/ram-credentials-config.js';
import { LocalKms, LocalSts } from '../../../src/testing/kms/index.js';
import { createTestPki } from '../../../src/testing/pki/index.js';
import { SecretStore } from '../../../src/testing/secret-store.js';

// @alicloud/credentials calls STS over HTTPS with the system trust store only, so the source runs in a
// child process that trusts the test CA through NODE_EXTRA_CA_CERTS (read by Node at start-up).
const CHILD = fileURLToPath(new URL('./fixtures/fetch-secret-child.ts', import.meta.url));
const CALLER = { accessKeyId: 'LTAI-assumer', accessKeySecret: 'assumer-secret' };
const ROLE_ARN = 'acs:ram::1234567890:role/kms-reader';
const OIDC = { providerArn: 'acs:ram::1234567890:oidc-provider/ack', token: 'eyJhbGciOi.test-oidc-token.sig' };

let kms: LocalKms;
let sts: LocalSts;
let tmp: string;
let caFile: string;
let tokenFile: string;
let versionId: string | undefined;

interface ChildResult {
  ok: boolean;
  versionIds?: string[];
  code?: string;
  message?: string;
  retryable?: boolean;
}

function runChild(credentials: RamCredentialsConfig): Promise<ChildResult> {
  const argument = JSON.stringify({ options: { regionId: 'cn-hangzhou', endpoint: kms.endpoint, credentials }, secretName: 'oss-ram-ak' });
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CHILD, argument],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`child failed (${error.message}): ${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildResult);
      },
    );
  });
}

beforeAll(async () => {
  const store = new SecretStore();
  versionId = store.setRamCredential('oss-ram-ak', { accessKeyId: 'LTAI-oss', accessKeySecret: 'oss-secret' }).versionId;
  kms = await LocalKms.start({ store });
  const pki = createTestPki();
  sts = await LocalSts.start({
    tls: { certPem: pki.leafChainPem, keyPem: pki.leafKeyPem },
    callers: [CALLER],
    roleArns: [ROLE_ARN],
    oidc: OIDC,
    onIssue: (principal) => kms.addPrincipal(principal),
  });
  tmp = mkdtempSync(join(tmpdir(), 'sts-credentials-'));
  caFile = join(tmp, 'ca.pem');
  writeFileSync(caFile, pki.caBundlePem);
  tokenFile = join(tmp, 'oidc-token');
  writeFileSync(tokenFile, OIDC.token);
});

afterAll(async () => {
  await Promise.all([kms.close(), sts.close()]);
  rmSync(tmp, { recursive: true, force: true });
});

describe('OpenApiSecretSource with STS-based credentials (LocalSts + LocalKms, real SDK)', () => {
  it('ram_role: assumes the role once (signed AssumeRole with policy) and signs KMS calls with the STS token', async () => {
    const result = await runChild({
      type: 'ram_role',
      ...CALLER,
      roleArn: ROLE_ARN,
      roleSessionName: 'oss-app',
      policy: '{"Version":"1","Statement":[]}',
      durationSeconds: 1800,
      stsEndpoint: sts.host,
    });
    expect(result).toEqual({ ok: true, versionIds: [versionId, versionId] });
    const assumed = sts.requests.filter((r) => r.action === 'AssumeRole');
    // The session is cached by the SDK: two KMS calls, one AssumeRole.
    expect(assumed).toEqual([
      expect.objectContaining({ accessKeyId: CALLER.accessKeyId, roleArn: ROLE_ARN, roleSessionName: 'oss-app', durationSeconds: '1800', hasPolicy: true, httpStatus: 200 }),
    ]);
    const kmsCalls = kms.requests.filter((r) => r.accessKeyId === assumed[0]?.issuedAccessKeyId);
    expect(kmsCalls).toHaveLength(2);
    expect(kmsCalls.every((r) => r.hasSecurityToken && r.httpStatus === 200)).toBe(true);
  });

  it('sts (synonym of ram_role) with a wrong caller secret: STS refuses, a retryable CredentialsUnavailable, nothing reaches KMS', async () => {
    const before = kms.callCount;
    const result = await runChild({
      type: 'sts',
      accessKeyId: CALLER.accessKeyId,
      accessKeySecret: 'not-the-secret',
      roleArn: ROLE_ARN,
      roleSessionName: 'oss-app',
      stsEndpoint: sts.host,
    });
    expect(result).toMatchObject({ ok: false, code: 'Kms.CredentialsUnavailable', retryable: true });
    expect(result.message).toContain('credentials_type sts');
    expect(result.message).not.toContain('not-the-secret');
    expect(sts.requests.at(-1)).toMatchObject({ action: 'AssumeRole', errorCode: 'SignatureDoesNotMatch' });
    expect(kms.callCount).toBe(before);
  });

  it('oidc_role_arn: exchanges the token file for STS credentials', async () => {
    const result = await runChild({
      type: 'oidc_role_arn',
      roleArn: ROLE_ARN,
      oidcProviderArn: OIDC.providerArn,
      oidcTokenFilePath: tokenFile,
      roleSessionName: 'oidc-app',
      stsEndpoint: sts.host,
    });
    expect(result).toEqual({ ok: true, versionIds: [versionId, versionId] });
    const exchanged = sts.requests.filter((r) => r.action === 'AssumeRoleWithOIDC');
    expect(exchanged).toEqual([expect.objectContaining({ roleArn: ROLE_ARN, roleSessionName: 'oidc-app', httpStatus: 200 })]);
    expect(kms.requests.filter((r) => r.accessKeyId === exchanged[0]?.issuedAccessKeyId)).toHaveLength(2);
  });
});
