import type * as CredentialsTypes from '@alicloud/credentials';
import { cjsDefaultExport } from '../runtime/cjs-default-export.js';
import { loadOptionalPeer } from '../kms/openapi/open-api-packages.js';

/** The `Credential` class of `@alicloud/credentials` (its default export, whichever way the types resolve it). */
export type CredentialClass = typeof CredentialsTypes extends { default: infer D } ? (D extends { default: infer E } ? E : D) : never;

let loaded: CredentialClass | undefined;

/**
 * Loads `@alicloud/credentials` on first use, synchronously (a `require` resolved from this package, in the
 * ESM and the CommonJS build alike), so `createManagedClient` stays synchronous like `new Client(config)`.
 * It is an optional peer dependency: the Tea SDK clients depend on it themselves, so an application that uses
 * one has it installed.
 *
 * @throws ConfigError `ConfigError.PackagesMissing` when it is not installed
 */
export function loadCredentialClass(): CredentialClass {
  loaded ??= cjsDefaultExport<CredentialClass>(
    loadOptionalPeer('@alicloud/credentials', 'createManagedClient (Tea SDK clients)', ['@alicloud/credentials']),
  );
  return loaded;
}
