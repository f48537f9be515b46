import type * as CredentialsTypes from '@alicloud/credentials';
import type * as OpenApiTypes from '@alicloud/openapi-client';
import type * as TeaUtilTypes from '@alicloud/tea-util';
import { requireFromPackage } from '../../runtime/require-from-package.js';
import { ConfigError, ConfigErrorCode } from '../../config/config-error.js';

/**
 * The OpenAPI path's packages and the ranges this package is tested with. They are optional peer dependencies:
 * a DKMS-only application does not install them (about 46 packages and 30 MB, moment, lodash and ws among
 * them); an application with `cache_client_region_id` installs them next to this package.
 */
export const OPENAPI_PACKAGE_RANGES: Readonly<Record<string, string>> = Object.freeze({
  '@alicloud/credentials': '^2.4.7',
  '@alicloud/openapi-client': '^0.4.15',
  '@alicloud/tea-util': '^1.4.11',
});

function load(name: string): unknown {
  return loadOptionalPeer(name, 'the KMS OpenAPI path (cache_client_region_id)', Object.keys(OPENAPI_PACKAGE_RANGES));
}

/**
 * Loads one of the optional peer packages of {@link OPENAPI_PACKAGE_RANGES} synchronously, from this package's
 * location, in both module systems.
 *
 * @param name - the package to load
 * @param neededFor - what needs it, for the message
 * @param install - the packages the message tells to install (with their tested ranges)
 * @throws ConfigError `ConfigError.PackagesMissing` when it is not installed
 */
export function loadOptionalPeer(name: string, neededFor: string, install: readonly string[]): unknown {
  try {
    return requireFromPackage(name);
  } catch (cause) {
    if ((cause as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw cause;
    const command = install.map((pkg) => `${pkg}@${OPENAPI_PACKAGE_RANGES[pkg] ?? 'latest'}`).join(' ');
    throw new ConfigError(
      ConfigErrorCode.PackagesMissing,
      `${neededFor} needs ${name}, which is not installed: npm install ${command}`,
      {},
      { cause },
    );
  }
}

/** The packages of the KMS OpenAPI path, as their CommonJS `module.exports`. */
export interface OpenApiPackages {
  /** `@alicloud/openapi-client`: the signed RPC client. */
  readonly openApi: typeof OpenApiTypes;
  /** `@alicloud/tea-util`: runtime options of a call. */
  readonly teaUtil: typeof TeaUtilTypes;
  /** `@alicloud/credentials`: the RAM identity that signs calls. */
  readonly credentials: typeof CredentialsTypes;
}

let loaded: OpenApiPackages | undefined;

/**
 * Loads the OpenAPI path's packages on first use. They (and what they bring: moment, lodash, ws, ...) are
 * loaded only by a configuration with regions (`cache_client_region_id`) or an {@link OpenApiSecretSource}
 * built in code, so a DKMS-only application neither installs nor loads them.
 *
 * @throws ConfigError `ConfigError.PackagesMissing` when one is not installed
 */
export function loadOpenApiPackages(): OpenApiPackages {
  loaded ??= {
    openApi: load('@alicloud/openapi-client') as typeof OpenApiTypes,
    teaUtil: load('@alicloud/tea-util') as typeof TeaUtilTypes,
    credentials: load('@alicloud/credentials') as typeof CredentialsTypes,
  };
  return loaded;
}
