// Shipped as dist/*/node-compat-events.d.ts; see scripts/build.mjs. Our declarations that extend Node's
// EventEmitter with an event map (`EventEmitter<SecretCacheEvents>`) import this class under the name
// EventEmitter instead of Node's: @types/node declares EventEmitter generic only since 20.11, and an older copy
// (12, as Tea SDK clients bring it) rejects `EventEmitter<...>`. The run-time class is Node's EventEmitter.
import { EventEmitter as NodeEventEmitter } from 'events';

/** Event name to listener arguments, e.g. `{ refresh: [event: SecretRefreshEvent] }`. */
export type EventArgumentsMap<T> = { [K in keyof T]: unknown[] };

/**
 * Node's `EventEmitter`, with listeners typed by the event map `T` whichever `@types/node` the consumer's
 * compiler sees.
 */
export declare class TypedEventEmitter<T extends EventArgumentsMap<T>> extends NodeEventEmitter {
  addListener<K extends keyof T & (string | symbol)>(eventName: K, listener: (...args: T[K]) => void): this;
  on<K extends keyof T & (string | symbol)>(eventName: K, listener: (...args: T[K]) => void): this;
  once<K extends keyof T & (string | symbol)>(eventName: K, listener: (...args: T[K]) => void): this;
  prependListener<K extends keyof T & (string | symbol)>(eventName: K, listener: (...args: T[K]) => void): this;
  prependOnceListener<K extends keyof T & (string | symbol)>(eventName: K, listener: (...args: T[K]) => void): this;
  removeListener<K extends keyof T & (string | symbol)>(eventName: K, listener: (...args: T[K]) => void): this;
  off<K extends keyof T & (string | symbol)>(eventName: K, listener: (...args: T[K]) => void): this;
  emit<K extends keyof T & (string | symbol)>(eventName: K, ...args: T[K]): boolean;
}
