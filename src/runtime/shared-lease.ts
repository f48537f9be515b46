/** What a shared, reference-counted value needs: to know it was closed, and to be closed by its last user. */
export interface Closable {
  readonly closed: boolean;
  close(): Promise<void>;
}

/** A shared value and how many users hold it. */
export interface SharedSlot<T> {
  readonly value: T;
  references: number;
}

/** The store of slots: a `Map` (keys by value) or a `WeakMap` (keys by object identity). */
export interface SharedSlots<K, T> {
  get(key: K): SharedSlot<T> | undefined;
  set(key: K, slot: SharedSlot<T>): unknown;
  delete(key: K): unknown;
}

/** One user's hold on a shared value. */
export interface SharedLease<T> {
  readonly value: T;
  /** Gives the reference back; the last one closes the value. Idempotent; resolves once it is closed. */
  release(): Promise<void>;
}

/**
 * The value shared under `key`, created with `create` on first use (or when the one there was closed
 * directly), with one more reference counted. The last release closes it and forgets it.
 */
export function leaseShared<K, T extends Closable>(slots: SharedSlots<K, T>, key: K, create: () => T): SharedLease<T> {
  let slot = slots.get(key);
  if (slot === undefined || slot.value.closed) {
    slot = { value: create(), references: 0 };
    slots.set(key, slot);
  }
  slot.references += 1;
  const held = slot;
  let released = false;
  return {
    value: held.value,
    release: async () => {
      if (released) return;
      released = true;
      held.references -= 1;
      if (held.references > 0) return;
      if (slots.get(key) === held) slots.delete(key);
      await held.value.close();
    },
  };
}
