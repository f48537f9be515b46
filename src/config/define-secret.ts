import { inspect } from 'node:util';

/**
 * Adds `value` to `target` as a non-enumerable getter named `name`, so plain property access works while
 * `JSON.stringify`, spread and `structuredClone` never see it. `util.inspect` shows only the enumerable
 * properties of `target` whatever its options: `showHidden` would list the getter and `getters: true`
 * would evaluate it, so `target` gets its own (non-enumerable) `util.inspect.custom`.
 */
export function defineSecret<T extends object>(target: T, name: string, value: string): T {
  Object.defineProperty(target, name, { get: () => value, enumerable: false, configurable: false });
  if (!Object.prototype.hasOwnProperty.call(target, inspect.custom)) {
    Object.defineProperty(target, inspect.custom, {
      value(this: object, _depth: number, options: object) {
        return inspect({ ...this }, options);
      },
      enumerable: false,
      configurable: false,
    });
  }
  return target;
}
