import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../runtime/clock.js';
import { rpcSignature } from '../openapi/rpc-signature.js';
import type { LocalKmsPrincipal } from './local-kms.js';

/** Options of {@link LocalSts.start}. */
export interface LocalStsOptions {
  /** Certificate chain (PEM, leaf first) and key: `@alicloud/credentials` always calls STS over HTTPS. */
  tls: { certPem: string; keyPem: string };
  /** Long-term AccessKeys allowed to call `AssumeRole`. */
  callers?: readonly { accessKeyId: string; accessKeySecret: string }[];
  /** Role ARNs that exist. */
  roleArns: readonly string[];
  /** The OIDC provider and the one token `AssumeRoleWithOIDC` accepts. */
  oidc?: { providerArn: string; token: string };
  /** Called with every issued STS credential, e.g. `(p) => kms.addPrincipal(p)`. */
  onIssue?: (principal: LocalKmsPrincipal) => void;
  /** Time for `Expiration`. Default the system clock. */
  clock?: Clock;
}

/** One STS call as {@link LocalSts} saw it (no secrets, tokens or policies' content). */
export interface LocalStsRequestRecord {
  action?: string;
  /** Caller AccessKeyId (AssumeRole). */
  accessKeyId?: string;
  roleArn?: string;
  roleSessionName?: string;
  durationSeconds?: string;
  hasPolicy: boolean;
  httpStatus: number;
  errorCode?: string;
  /** AccessKeyId of the issued credential. */
  issuedAccessKeyId?: string;
}

class StsFailure extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A local stand-in for the STS endpoint that `@alicloud/credentials` calls for `ram_role_arn` (`AssumeRole`,
 * RPC signature HMAC-SHA1, verified here) and `oidc_role_arn` (`AssumeRoleWithOIDC`, anonymous, token
 * checked). Issued credentials are handed to `onIssue` so a {@link LocalKms} can accept them.
 * HTTPS only, since the SDK has no http option; the client must trust the test CA (`NODE_EXTRA_CA_CERTS`).
 * TEST ONLY.
 */
export class LocalSts {
  private readonly log: LocalStsRequestRecord[] = [];
  private readonly clock: Clock;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: https.Server,
    private readonly options: LocalStsOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Starts on 127.0.0.1 with a random port. */
  static async start(options: LocalStsOptions): Promise<LocalSts> {
    const server = https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem });
    const sts = new LocalSts(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      sts.handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sts;
  }

  /** `127.0.0.1:<port>`, for an `stsEndpoint` option. */
  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Every request so far (a copy). */
  get requests(): readonly LocalStsRequestRecord[] {
    return [...this.log];
  }

  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const query: Record<string, string> = Object.fromEntries(new URL(req.url ?? '/', 'https://localhost').searchParams);
    const form: Record<string, string> = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const params = { ...query, ...form };
    const record: LocalStsRequestRecord = { hasPolicy: params['Policy'] !== undefined, httpStatus: 0 };
    if (params['Action'] !== undefined) record.action = params['Action'];
    if (params['RoleArn'] !== undefined) record.roleArn = params['RoleArn'];
    if (params['RoleSessionName'] !== undefined) record.roleSessionName = params['RoleSessionName'];
    if (params['DurationSeconds'] !== undefined) record.durationSeconds = params['DurationSeconds'];
    this.log.push(record);
    try {
      if (params['Action'] === 'AssumeRole') this.verifyCaller(req.method ?? 'POST', params, record);
      else if (params['Action'] === 'AssumeRoleWithOIDC') this.verifyOidc(params);
      else throw new StsFailure(404, 'InvalidAction.NotFound', 'Specified api is not found.');
      if (!params['RoleArn'] || !this.options.roleArns.includes(params['RoleArn'])) {
        throw new StsFailure(404, 'EntityNotExist.Role', 'The specified Role not exists.');
      }
      const durationSeconds = Number(params['DurationSeconds'] ?? 3600);
      const principal: LocalKmsPrincipal = {
        accessKeyId: `STS.${randomBytes(8).toString('hex')}`,
        accessKeySecret: randomBytes(16).toString('hex'),
        securityToken: randomBytes(24).toString('base64'),
        expiresAtMs: this.clock.now() + durationSeconds * 1000,
      };
      this.options.onIssue?.(principal);
      record.issuedAccessKeyId = principal.accessKeyId;
      record.httpStatus = 200;
      this.send(res, 200, {
        RequestId: randomUUID(),
        AssumedRoleUser: { Arn: `${params['RoleArn']}/${params['RoleSessionName'] ?? ''}`, AssumedRoleId: randomUUID() },
        Credentials: {
          AccessKeyId: principal.accessKeyId,
          AccessKeySecret: principal.accessKeySecret,
          SecurityToken: principal.securityToken,
          Expiration: new Date(principal.expiresAtMs ?? 0).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        },
      });
    } catch (error) {
      if (!(error instanceof StsFailure)) throw error;
      record.httpStatus = error.httpStatus;
      record.errorCode = error.code;
      this.send(res, error.httpStatus, { RequestId: randomUUID(), Code: error.code, Message: error.message });
    }
  }

  /** RPC signature V1: base64 HMAC-SHA1 with `secret&` over `METHOD&%2F&` + the encoded sorted parameters. */
  private verifyCaller(method: string, params: Record<string, string>, record: LocalStsRequestRecord): void {
    const accessKeyId = params['AccessKeyId'];
    if (accessKeyId !== undefined) record.accessKeyId = accessKeyId;
    if (params['SignatureMethod'] !== 'HMAC-SHA1' || params['SignatureVersion'] !== '1.0' || !params['Signature']) {
      throw new StsFailure(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
    }
    const caller = this.options.callers?.find((c) => c.accessKeyId === accessKeyId);
    if (!caller) throw new StsFailure(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    const signature = params['Signature'];
    const expected = rpcSignature(method, params, caller.accessKeySecret);
    const a = Buffer.from(expected);
    const b = Buffer.from(signature);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new StsFailure(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    }
  }

  private verifyOidc(params: Record<string, string>): void {
    const oidc = this.options.oidc;
    if (!oidc || params['OIDCProviderArn'] !== oidc.providerArn) {
      throw new StsFailure(404, 'EntityNotExist.OIDCProvider', 'The specified OIDC provider does not exist.');
    }
    if (params['OIDCToken']?.trim() !== oidc.token) throw new StsFailure(400, 'AuthenticationFail.OIDCToken.Invalid', 'The OIDC token is invalid.');
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(body));
  }
}
