import type { OpenApiRequestRecordDraft } from './open-api-request-log.js';

/** An arriving request as an emulator built on LocalOpenApi (LocalKms) sees it: its live record and parameters. */
export interface ObservedRequest {
  /** Filled in by LocalOpenApi as the request proceeds (fault, key, status, error code). */
  readonly record: OpenApiRequestRecordDraft;
  /** Query and form parameters, as sent (may hold values a public log must not show). */
  readonly params: Readonly<Record<string, string>>;
  /** The first word of the Authorization header (`ACS3-HMAC-SHA256`, `acs`, ...), if any. */
  readonly authorizationScheme: string | undefined;
}

const observers = new WeakMap<object, (request: ObservedRequest) => void>();

/**
 * Lets an emulator built on a LocalOpenApi see each request as it arrives (internal: not exported from the
 * package, so LocalOpenApi's public API stays free of hooks).
 */
export function observeRequests(api: object, listener: (request: ObservedRequest) => void): void {
  observers.set(api, listener);
}

/** Tells the observer of `api`, if any, about an arriving request. */
export function notifyObserver(api: object, request: ObservedRequest): void {
  observers.get(api)?.(request);
}
