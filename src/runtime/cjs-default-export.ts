/**
 * The `export default` of a CommonJS package compiled by tsc (`exports.default = X` plus `__esModule`),
 * whichever way this file was loaded: from our ESM build Node hands over `module.exports` as the default,
 * from our CJS build the interop helper hands over `exports.default`.
 */
export function cjsDefaultExport<T>(namespace: unknown): T {
  const outer = (namespace as { default?: unknown }).default ?? namespace;
  const inner = (outer as { default?: unknown }).default;
  return (inner ?? outer) as T;
}
