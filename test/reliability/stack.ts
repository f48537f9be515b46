import { once } from 'node:events';
import { expect } from 'vitest';
import { SecretCacheClient, type SecretCacheClientOptions } from '../../src/cache/index.js';
import type { SecretErrorEvent, SecretRefreshEvent } from '../../src/cache/secret-cache-events.js';
import { clientKeyFromPem } from '../../src/kms/dkms/client-key-loader.js';
import { DkmsSecretSource, type DkmsSourceOptions } from '../../src/kms/dkms/dkms-secret-source.js';
import type { SecretInfo } from '../../src/kms/secret-info.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../../src/kms/secret-source.js';
import type { AKExpireHandler } from '../../src/oss/ak-expire-handler.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { LocalDkms } from '../../src/testing/dkms/local-dkms.js';
import { LocalOss } from '../../src/testing/oss/index.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { VirtualClock } from '../support/virtual-clock.js';

export const SECRET_NAME = 'oss-ram-ak';
export const BUCKET = 'reliability';
export const DAY_MS = 24 * 60 * 60 * 1000;
/** Virtual-time budgets of the DKMS source (only fire when a test advances the clock). */
export const READ_TIMEOUT_MS = 3000;

export function secretOf(accessKeyId: string): string {
  return `s3cr3t-of-${accessKeyId}-Zq8xW2vR5tY7uI9o`;
}

/**
 * A SecretSource that forwards to whichever source the test puts in `current`: the real DKMS source, or
 * one that is misconfigured in a way the emulator cannot fake (another CA). Counts the fetches the cache
 * asks for, whichever source serves them (a refused connection or a failed handshake never reaches the
 * emulator's request log).
 */
export class SwitchableSource implements SecretSource {
  readonly description = 'switchable';
  /** GetSecretValue calls the cache made. */
  calls = 0;
  constructor(public current: SecretSource) {}
  getSecretValue(request: GetSecretValueRequest, options?: GetSecretValueOptions): Promise<SecretInfo> {
    this.calls++;
    return this.current.getSecretValue(request, options);
  }
}

/**
 * The real stack over real sockets: LocalDkms (TLS, signature checks) -> DkmsSecretSource ->
 * SecretCacheClient -> ProxyBucket -> ali-oss -> LocalOss. One VirtualClock drives the emulator's date check,
 * the source's timeouts, and the cache's schedule and backoff, so nothing waits for real time and every
 * timer the library arms is visible (`clock.pendingTimers`).
 */
export class Stack {
  readonly clock: VirtualClock;
  readonly dkms: LocalDkms;
  readonly oss: LocalOss;
  readonly dkmsSource: DkmsSecretSource;
  readonly source: SwitchableSource;
  readonly cache: SecretCacheClient;
  readonly bucket: ProxyBucket;
  private readonly extraSources: DkmsSecretSource[] = [];

  private constructor(fields: {
    clock: VirtualClock;
    dkms: LocalDkms;
    oss: LocalOss;
    dkmsSource: DkmsSecretSource;
    source: SwitchableSource;
    cache: SecretCacheClient;
    bucket: ProxyBucket;
  }) {
    this.clock = fields.clock;
    this.dkms = fields.dkms;
    this.oss = fields.oss;
    this.dkmsSource = fields.dkmsSource;
    this.source = fields.source;
    this.cache = fields.cache;
    this.bucket = fields.bucket;
  }

  static async start(
    options: {
      cache?: Partial<SecretCacheClientOptions>;
      source?: Partial<DkmsSourceOptions>;
      akExpireHandler?: AKExpireHandler;
      initialKey?: string;
    } = {},
  ): Promise<Stack> {
    const clock = new VirtualClock(Date.now());
    const dkms = await LocalDkms.start({ clock, store: new SecretStore({ clock }) });
    const oss = await LocalOss.start({ buckets: [BUCKET] });
    const initialKey = options.initialKey ?? 'LTAI-K1';
    dkms.setRamCredential(SECRET_NAME, { accessKeyId: initialKey, accessKeySecret: secretOf(initialKey), rotationIntervalMs: 7 * DAY_MS });
    oss.keys.add({ accessKeyId: initialKey, accessKeySecret: secretOf(initialKey) });
    const dkmsSource = new DkmsSecretSource({
      endpoint: dkms.endpoint,
      clientKey: clientKeyFromPem(dkms.clientKey.keyId, dkms.clientKey.privateKeyPem),
      ca: dkms.caBundlePem,
      clock,
      readTimeoutMs: READ_TIMEOUT_MS,
      connectTimeoutMs: READ_TIMEOUT_MS,
      maxResponseBytes: 64 * 1024,
      ...options.source,
    });
    const source = new SwitchableSource(dkmsSource);
    const cache = new SecretCacheClient({
      source,
      clock,
      random: () => 0.5,
      backoff: { baseMs: 1000, capMs: 4000 },
      ...options.cache,
    });
    const bucket = new ProxyBucket({
      secretName: SECRET_NAME,
      cacheClient: cache,
      ...oss.clientOptions(BUCKET),
      ...(options.akExpireHandler ? { akExpireHandler: options.akExpireHandler } : {}),
    });
    return new Stack({ clock, dkms, oss, dkmsSource, source, cache, bucket });
  }

  /** Another DKMS source for the same emulator with different options (closed by `stop`). */
  otherDkmsSource(overrides: Partial<DkmsSourceOptions>): DkmsSecretSource {
    const created = new DkmsSecretSource({
      endpoint: this.dkms.endpoint,
      clientKey: clientKeyFromPem(this.dkms.clientKey.keyId, this.dkms.clientKey.privateKeyPem),
      ca: this.dkms.caBundlePem,
      clock: this.clock,
      readTimeoutMs: READ_TIMEOUT_MS,
      connectTimeoutMs: READ_TIMEOUT_MS,
      ...overrides,
    });
    this.extraSources.push(created);
    return created;
  }

  /** KMS rotates the secret to `accessKeyId`; OSS accepts the new key (the old one stays valid until revoked). */
  rotateTo(accessKeyId: string): void {
    this.dkms.rotate(SECRET_NAME, { accessKeyId, accessKeySecret: secretOf(accessKeyId) });
    if (!this.oss.keys.has(accessKeyId)) this.oss.keys.add({ accessKeyId, accessKeySecret: secretOf(accessKeyId) });
  }

  /** Moves virtual time to the next due timer (a scheduled refresh or a backoff retry) and awaits its outcome. */
  async runScheduledFetch<E extends 'refresh' | 'error'>(
    event: E,
    drive?: (nextRequest: Promise<unknown>) => Promise<void>,
  ): Promise<E extends 'refresh' ? SecretRefreshEvent : SecretErrorEvent> {
    const other = event === 'refresh' ? 'error' : 'refresh';
    const settled = Promise.race([
      once(this.cache, event).then(([payload]) => ({ event, payload })),
      once(this.cache, other).then(([payload]) => ({ event: other, payload })),
    ]);
    expect(this.clock.pendingTimers).toBeGreaterThan(0);
    const nextRequest = this.dkms.nextRequest(); // registered first: the fetch may arrive during runNext
    await this.clock.runNext();
    await drive?.(nextRequest);
    const outcome = await settled;
    if (outcome.event !== event) {
      throw new Error(`expected a "${event}" event, got "${outcome.event}": ${String((outcome.payload as { error?: unknown }).error)}`);
    }
    return outcome.payload as E extends 'refresh' ? SecretRefreshEvent : SecretErrorEvent;
  }

  /** The AccessKeyIds OSS saw, oldest first. */
  ossKeysUsed(): Array<string | undefined> {
    return this.oss.requests.entries().map((r) => r.accessKeyId);
  }

  /** Shuts everything down and checks that the library left no timer behind. */
  async stop(): Promise<void> {
    await this.bucket.shutdown();
    await this.cache.close();
    this.dkmsSource.close();
    for (const s of this.extraSources) s.close();
    const pending = this.clock.pendingTimers;
    await this.dkms.close();
    await this.oss.close();
    expect(pending, 'virtual timers still pending after bucket.shutdown() and cache.close()').toBe(0);
  }
}

/** Resolves with what a promise rejected with (fails the test if it resolved). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error: unknown) => error,
  );
}

/** Records unhandled rejections while installed; the suite asserts the list stays empty. */
export function trackUnhandledRejections(): { reasons: unknown[]; uninstall(): void } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown) => reasons.push(reason);
  process.on('unhandledRejection', listener);
  return { reasons, uninstall: () => process.off('unhandledRejection', listener) };
}

/** Number of active Node `Timeout` resources (real timers). */
export function activeTimeoutCount(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}
