import { createRequire } from 'node:module';

/**
 * A synchronous `require` resolved from this package's own location (ESM build; the CommonJS build uses
 * `require-from-package-cjs.cts` instead). Used to load the KMS OpenAPI path's CommonJS packages only when a
 * configuration needs them, without making synchronous constructors asynchronous.
 */
export const requireFromPackage: NodeJS.Require = createRequire(
  // tshy also compiles this file in its CommonJS pass (then ships the .cts polyfill in its place), where
  // import.meta is an error; in the ESM build and the type-check it is not, so @ts-expect-error cannot be used.
  // eslint-disable-next-line @typescript-eslint/ban-ts-comment
  // @ts-ignore TS1470 in the CommonJS pass only
  import.meta.url,
);
