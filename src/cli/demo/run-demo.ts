import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { SECRET_CACHE_CHANNELS } from '../../cache/secret-cache-events.js';
import type {
  SecretErrorEvent,
  SecretRefreshEvent,
  SecretRotateEvent,
  SecretStaleEvent,
} from '../../cache/secret-cache-events.js';
import { ConfigLoader } from '../../config/config-loader.js';
import { ProxyBucket } from '../../oss/proxy-bucket.js';
import { LocalDkms } from '../../testing/dkms/local-dkms.js';
import { LocalOss } from '../../testing/oss/local-oss.js';
import type { CliOutput } from '../cli-output.js';
import { LatencyRecorder } from '../latency-recorder.js';
import { createStyle } from '../style.js';
import type { DemoResult } from './demo-result.js';
import {
  DEMO_BUCKET,
  DEMO_SECRET_NAME,
  demoPropertiesText,
  newDemoAccessKey,
  type DemoAccessKey,
} from './demo-scenario.js';
import { renderDemoSummary } from './render-demo-summary.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where the demo reports. */
  output: CliOutput;
  /** How long the workload runs, ms. Default 6000. */
  durationMs?: number;
  /** Concurrent workload loops. Default 4. */
  workers?: number;
  /** Key rotations (each revokes the previous key at once) spread over the run. Default 2. */
  rotations?: number;
  /** Called once the emulators run, e.g. for a test to look at them afterwards. */
  onEmulators?: (emulators: { dkms: LocalDkms; oss: LocalOss; configFile: string }) => void;
}

const PROGRESS_INTERVAL_MS = 200;
const PLAIN_PROGRESS_INTERVAL_MS = 1000;

/**
 * The `demo` command: starts LocalDkms and LocalOss in this process, writes a properties file (and the
 * ClientKey, password and CA files) into a temporary folder, and runs a put/get/list workload through a
 * {@link ProxyBucket} configured by that file while the AccessKey is rotated in KMS and the old key revoked
 * at OSS, twice. It reports as it goes (progress, cache events) and ends with a summary table. Everything it
 * started is stopped and the folder removed, also on failure. No secret is printed.
 *
 * @returns the measured result; `exitCode` is 0 when the workload saw no error
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { output } = options;
  const durationMs = options.durationMs ?? 6000;
  const workers = options.workers ?? 4;
  const rotations = options.rotations ?? 2;
  const style = createStyle(output.color);
  const startedAt = Date.now();
  const elapsed = () => style.dim(`+${((Date.now() - startedAt) / 1000).toFixed(2)}s`);

  output.line(style.bold('ali-oss-managed-credentials demo'));
  output.line(style.dim('A workload runs through ProxyBucket while the AccessKey is rotated in KMS and revoked at OSS.'));
  output.line('');

  const cleanup: Array<() => Promise<unknown> | unknown> = [];
  try {
    let current = newDemoAccessKey(1);
    const [dkms, oss] = await Promise.all([
      LocalDkms.start(),
      LocalOss.start({ buckets: [DEMO_BUCKET], keys: [current] }),
    ]);
    cleanup.push(() => oss.close(), () => dkms.close());
    // A far-away scheduled rotation: every key change in this demo is an emergency rotation.
    dkms.setRamCredential(DEMO_SECRET_NAME, { ...current, rotationIntervalMs: 24 * 60 * 60 * 1000 });

    const dir = await mkdtemp(join(tmpdir(), 'ali-oss-mc-demo-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const files = await dkms.writeClientFiles(dir);
    const configFile = join(dir, 'managed_credentials_providers.properties');
    const properties = demoPropertiesText({
      endpoint: dkms.endpoint,
      clientKeyFile: basename(files.clientKeyFile),
      passwordFile: basename(files.passwordFile),
      caFile: basename(files.caFile),
    });
    await writeFile(configFile, properties);
    options.onEmulators?.({ dkms, oss, configFile });

    output.line(`${elapsed()} LocalDkms (KMS instance, HTTPS) on ${dkms.endpoint}; LocalOss on ${oss.endpoint.replace(/^http:\/\//, '')}`);
    output.line(`${elapsed()} secret ${style.cyan(DEMO_SECRET_NAME)} holds AccessKey ${style.cyan(current.accessKeyId)}`);
    output.line(`${elapsed()} wrote ${configFile}:`);
    for (const text of properties.trimEnd().split('\n')) output.line(style.dim(`    ${text}`));

    const counters = { rotateEvents: 0 };
    const unsubscribeEvents = watchCacheEvents(output, style, elapsed, counters);
    cleanup.push(unsubscribeEvents);

    // The application's view: a properties file and a ProxyBucket, nothing else. The bucket loads the file
    // and shares the default cache client for it; shutdown() releases that client.
    const previousConfigName = ConfigLoader.getConfigName();
    ConfigLoader.setConfigName(configFile);
    cleanup.push(() => ConfigLoader.setConfigName(previousConfigName));
    const bucket = new ProxyBucket({ secretName: DEMO_SECRET_NAME, ...oss.clientOptions(DEMO_BUCKET) });
    cleanup.push(() => bucket.shutdown());
    await bucket.ready();

    output.line('');
    output.line(
      `${elapsed()} workload: ${workers} loops of put, get (checked byte for byte) and list for ${(durationMs / 1000).toFixed(1)} s`,
    );

    const latency = new LatencyRecorder();
    const workload = { calls: 0, errors: 0, errorCodes: [] as string[], stored: new Map<string, Buffer>() };
    const workloadStart = Date.now();
    const deadline = workloadStart + durationMs;

    const progress = () =>
      `${elapsed()} ${workload.calls} calls, ${workload.errors} errors, ${dkms.getSecretValueCount(DEMO_SECRET_NAME)} KMS calls, ` +
      `key ${bucket.accessKeyId ?? '-'}, p50 ${latency.summary().p50Ms} ms`;
    let lastPlainProgress = Date.now();
    const ticker = setInterval(() => {
      if (output.interactive) output.status(progress());
      else if (Date.now() - lastPlainProgress >= PLAIN_PROGRESS_INTERVAL_MS) {
        lastPlainProgress = Date.now();
        output.line(progress());
      }
    }, PROGRESS_INTERVAL_MS);
    cleanup.push(() => clearInterval(ticker));

    const timed = async <T>(operation: () => Promise<T>): Promise<T | undefined> => {
      const begin = performance.now();
      try {
        return await operation();
      } catch (error) {
        workload.errors += 1;
        const code = (error as { code?: unknown }).code;
        if (workload.errorCodes.length < 5) workload.errorCodes.push(typeof code === 'string' ? code : 'Error');
        return undefined;
      } finally {
        workload.calls += 1;
        latency.record(Math.round((performance.now() - begin) * 10) / 10);
      }
    };

    const loop = async (worker: number) => {
      for (let i = 0; Date.now() < deadline; i++) {
        const name = `demo/worker-${worker}/object-${i % 50}.txt`;
        const body = Buffer.from(`worker ${worker}, round ${i}, ${Date.now()}`);
        if ((await timed(() => bucket.put(name, body))) !== undefined) workload.stored.set(name, body);
        const read = await timed(() => bucket.get(name));
        if (read !== undefined && !Buffer.from(read.content as Buffer).equals(body)) {
          workload.errors += 1;
          workload.errorCodes.push('WrongContent');
        }
        if (i % 5 === 4) await timed(() => bucket.list({ prefix: `demo/worker-${worker}/`, 'max-keys': 100 }, {}));
      }
    };

    const rotate = async (generation: number) => {
      const previous: DemoAccessKey = current;
      const next = newDemoAccessKey(generation);
      oss.keys.add(next);
      dkms.rotate(DEMO_SECRET_NAME, next);
      current = next;
      output.line(`${elapsed()} ${style.yellow('rotation')} ${generation - 1}: KMS now holds ${style.cyan(next.accessKeyId)}`);
      if (generation === 3) {
        // Show that a KMS hiccup during the rotation is absorbed too: the next KMS answer is a 503.
        dkms.injectFault({ kind: 'serviceUnavailable' });
        output.line(`${elapsed()} ${style.yellow('fault')}: the next KMS answer will be 503 ServiceUnavailableTemporary`);
      }
      oss.keys.revoke(previous.accessKeyId);
      output.line(
        `${elapsed()} ${style.yellow('revoke')}: OSS no longer accepts ${previous.accessKeyId}; calls signed with it get InvalidAccessKeyId`,
      );
    };

    const rotationTimers: NodeJS.Timeout[] = [];
    const rotationsDone: Promise<void>[] = [];
    for (let r = 1; r <= rotations; r++) {
      rotationsDone.push(
        new Promise<void>((resolve, reject) => {
          rotationTimers.push(
            setTimeout(() => rotate(r + 1).then(resolve, reject), Math.round((durationMs * r) / (rotations + 1))),
          );
        }),
      );
    }
    cleanup.push(() => rotationTimers.forEach((timer) => clearTimeout(timer)));

    await Promise.all([...Array.from({ length: workers }, (_, w) => loop(w)), ...rotationsDone]);
    const workloadMs = Date.now() - workloadStart;
    clearInterval(ticker);
    output.status('');
    output.line(progress());

    // Nothing lost: what the workload last wrote is what OSS holds.
    let objectsStored = 0;
    for (const [name, body] of workload.stored) {
      if (oss.getObject(DEMO_BUCKET, name)?.body.equals(body)) objectsStored += 1;
      else {
        workload.errors += 1;
        workload.errorCodes.push('ObjectMismatch');
      }
    }

    const ossCounters = oss.counters();
    const result: DemoResult = {
      calls: workload.calls,
      errors: workload.errors,
      errorCodes: workload.errorCodes,
      rotations,
      rotateEvents: counters.rotateEvents,
      kmsCalls: dkms.getSecretValueCount(DEMO_SECRET_NAME),
      kmsFailuresInjected: dkms.requests.filter((request) => request.fault !== undefined).length,
      retries: ossCounters.byErrorCode.InvalidAccessKeyId ?? 0,
      ossRequests: ossCounters.requests,
      objectsStored,
      latency: latency.summary(),
      workloadMs,
      exitCode: workload.errors === 0 ? 0 : 1,
    };
    output.line('');
    for (const text of renderDemoSummary(result, style)) output.line(text);
    return result;
  } finally {
    // Reverse order: bucket, cache, listeners, then the servers, then the files.
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch {
        // Keep cleaning up; a failed step must not leave servers running.
      }
    }
  }
}

/** Prints the cache's events for the demo secret as they happen, through `node:diagnostics_channel`. */
function watchCacheEvents(
  output: CliOutput,
  style: ReturnType<typeof createStyle>,
  elapsed: () => string,
  counters: { rotateEvents: number },
): () => void {
  const onRefresh = (message: unknown) => {
    const event = message as SecretRefreshEvent;
    if (event.secretName !== DEMO_SECRET_NAME) return;
    output.line(
      `${elapsed()} ${style.green('event refresh')} (${event.trigger}) key ${event.accessKeyId ?? '-'} ` +
        `version ${event.versionId ?? '-'}${event.changed ? ', changed' : ''}, ${event.durationMs} ms in KMS`,
    );
  };
  const onRotate = (message: unknown) => {
    const event = message as SecretRotateEvent;
    if (event.secretName !== DEMO_SECRET_NAME) return;
    counters.rotateEvents += 1;
    output.line(`${elapsed()} ${style.green('event rotate')} ${event.previousAccessKeyId} -> ${event.accessKeyId} (${event.trigger})`);
  };
  const onError = (message: unknown) => {
    const event = message as SecretErrorEvent;
    if (event.secretName !== DEMO_SECRET_NAME) return;
    const code = (event.error as { code?: unknown }).code;
    output.line(
      `${elapsed()} ${style.red('event error')} (${event.trigger}) ${typeof code === 'string' ? code : 'error'}` +
        `${event.servingStale ? ', serving the last good key' : ''}`,
    );
  };
  const onStale = (message: unknown) => {
    const event = message as SecretStaleEvent;
    if (event.secretName !== DEMO_SECRET_NAME) return;
    output.line(`${elapsed()} ${style.yellow('event stale')} serving ${event.accessKeyId ?? '-'} while KMS fails`);
  };
  const handlers = [
    [SECRET_CACHE_CHANNELS.refresh, onRefresh],
    [SECRET_CACHE_CHANNELS.rotate, onRotate],
    [SECRET_CACHE_CHANNELS.error, onError],
    [SECRET_CACHE_CHANNELS.stale, onStale],
  ] as const;
  for (const [name, handler] of handlers) subscribe(name, handler);
  return () => {
    for (const [name, handler] of handlers) unsubscribe(name, handler);
  };
}
