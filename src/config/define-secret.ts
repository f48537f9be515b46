/**
 * Adds `value` to `target` as a non-enumerable getter named `name`, so plain property access works while
 * `JSON.stringify`, `util.inspect` (even with `showHidden`, which prints `[Getter]`), spread and
 * `structuredClone` never see it.
 */
export function defineSecret<T extends object>(target: T, name: string, value: string): T {
  Object.defineProperty(target, name, { get: () => value, enumerable: false, configurable: false });
  return target;
}
