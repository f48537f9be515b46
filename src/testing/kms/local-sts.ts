import { randomBytes, randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../runtime/clock.js';
import { LocalOpenApi } from '../openapi/local-open-api.js';
import type { OpenApiCall } from '../openapi/open-api-call.js';
import { OpenApiServiceError } from '../openapi/open-api-service-error.js';
import { observeRequests, type ObservedRequest } from '../openapi/request-observer.js';
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

/**
 * A local stand-in for the STS endpoint that `@alicloud/credentials` calls for `ram_role_arn` (`AssumeRole`,
 * RPC signature HMAC-SHA1, verified here) and `oidc_role_arn` (`AssumeRoleWithOIDC`, anonymous, token
 * checked): a {@link LocalOpenApi} gateway with those two handlers. Issued credentials are handed to `onIssue`
 * so a {@link LocalKms} can accept them. HTTPS only, since the SDK has no http option; the client must trust
 * the test CA (`NODE_EXTRA_CA_CERTS`). TEST ONLY.
 */
export class LocalSts {
  private readonly log: ObservedRequest[] = [];
  /** AccessKeyId issued per RequestId. */
  private readonly issued = new Map<string, string>();
  private readonly clock: Clock;

  private constructor(
    private readonly api: LocalOpenApi,
    private readonly options: LocalStsOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** Starts on 127.0.0.1 with a random port. */
  static async start(options: LocalStsOptions): Promise<LocalSts> {
    const api = await LocalOpenApi.start({
      tls: options.tls,
      ...(options.clock ? { clock: options.clock } : {}),
      product: 'Sts',
      keys: (options.callers ?? []).map(({ accessKeyId, accessKeySecret }) => ({ accessKeyId, accessKeySecret })),
    });
    const sts = new LocalSts(api, options);
    observeRequests(api, (observed) => sts.log.push(observed));
    api.handle({ action: 'AssumeRole' }, (call) => sts.issue(call));
    api.handle({ action: 'AssumeRoleWithOIDC', anonymous: true }, (call) => {
      sts.verifyOidc(call.params);
      return sts.issue(call);
    });
    return sts;
  }

  /** `127.0.0.1:<port>`, for an `stsEndpoint` option. */
  get host(): string {
    return this.api.host;
  }

  /** Every request so far (a copy). */
  get requests(): readonly LocalStsRequestRecord[] {
    return this.log.map(({ record, params }) => {
      const entry: LocalStsRequestRecord = { hasPolicy: params['Policy'] !== undefined, httpStatus: record.status };
      if (params['Action'] !== undefined) entry.action = params['Action'];
      if (record.accessKeyId !== undefined) entry.accessKeyId = record.accessKeyId;
      if (params['RoleArn'] !== undefined) entry.roleArn = params['RoleArn'];
      if (params['RoleSessionName'] !== undefined) entry.roleSessionName = params['RoleSessionName'];
      if (params['DurationSeconds'] !== undefined) entry.durationSeconds = params['DurationSeconds'];
      if (record.errorCode !== undefined) entry.errorCode = record.errorCode;
      const issued = this.issued.get(record.requestId);
      if (issued !== undefined) entry.issuedAccessKeyId = issued;
      return entry;
    });
  }

  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void> {
    return this.api.close();
  }

  /** Same as {@link LocalSts.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Issues an STS credential for the role named in the call. */
  private issue(call: OpenApiCall): Record<string, unknown> {
    const roleArn = call.params['RoleArn'];
    if (!roleArn || !this.options.roleArns.includes(roleArn)) {
      throw new OpenApiServiceError({ status: 404, code: 'EntityNotExist.Role', message: 'The specified Role not exists.' });
    }
    const durationSeconds = Number(call.params['DurationSeconds'] ?? 3600);
    const principal: LocalKmsPrincipal = {
      accessKeyId: `STS.${randomBytes(8).toString('hex')}`,
      accessKeySecret: randomBytes(16).toString('hex'),
      securityToken: randomBytes(24).toString('base64'),
      expiresAtMs: this.clock.now() + durationSeconds * 1000,
    };
    this.options.onIssue?.(principal);
    this.issued.set(call.requestId, principal.accessKeyId);
    return {
      RequestId: call.requestId,
      AssumedRoleUser: { Arn: `${roleArn}/${call.params['RoleSessionName'] ?? ''}`, AssumedRoleId: randomUUID() },
      Credentials: {
        AccessKeyId: principal.accessKeyId,
        AccessKeySecret: principal.accessKeySecret,
        SecurityToken: principal.securityToken,
        Expiration: new Date(principal.expiresAtMs ?? 0).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    };
  }

  private verifyOidc(params: Readonly<Record<string, string>>): void {
    const oidc = this.options.oidc;
    if (!oidc || params['OIDCProviderArn'] !== oidc.providerArn) {
      throw new OpenApiServiceError({ status: 404, code: 'EntityNotExist.OIDCProvider', message: 'The specified OIDC provider does not exist.' });
    }
    if (params['OIDCToken']?.trim() !== oidc.token) {
      throw new OpenApiServiceError({ status: 400, code: 'AuthenticationFail.OIDCToken.Invalid', message: 'The OIDC token is invalid.' });
    }
  }
}
