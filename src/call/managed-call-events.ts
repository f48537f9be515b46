import { channel } from 'node:diagnostics_channel';

/** Which adapter made a managed call: ProxyBucket (`ali-oss`) or a Tea SDK client (`tea`). */
export type ManagedCallClient = 'ali-oss' | 'tea';

/**
 * Payload of the `retry` diagnostics event: a call's AccessKey was rejected and the refresh came back.
 * `retried`: the key changed and the call was sent again; `key-unchanged`: no newer key (the call fails with
 * the service's error); `not-replayable`: a newer key exists but the call's stream body was consumed (the
 * error is marked `retryWithFreshBody`). Never carries a secret.
 */
export interface ManagedCallRetryEvent {
  secretName: string;
  client: ManagedCallClient;
  outcome: 'retried' | 'key-unchanged' | 'not-replayable';
}

/** `node:diagnostics_channel` names on which managed calls publish (the OpenTelemetry bridge counts them). */
export const MANAGED_CALL_CHANNELS = Object.freeze({
  retry: 'ali-oss-managed-credentials:call:retry',
} as const);

const retryChannel = channel(MANAGED_CALL_CHANNELS.retry);

/** Publishes a retry decision; costs a property read when nobody listens. */
export function publishManagedCallRetry(event: ManagedCallRetryEvent): void {
  if (retryChannel.hasSubscribers) retryChannel.publish(event);
}
