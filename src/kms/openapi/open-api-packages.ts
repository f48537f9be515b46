import type * as CredentialsTypes from '@alicloud/credentials';
import type * as OpenApiTypes from '@alicloud/openapi-client';
import type * as TeaUtilTypes from '@alicloud/tea-util';
import { requireFromPackage } from '../../runtime/require-from-package.js';

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
 * built in code, so a DKMS-only application never pays for them at start-up.
 */
export function loadOpenApiPackages(): OpenApiPackages {
  loaded ??= {
    openApi: requireFromPackage('@alicloud/openapi-client') as typeof OpenApiTypes,
    teaUtil: requireFromPackage('@alicloud/tea-util') as typeof TeaUtilTypes,
    credentials: requireFromPackage('@alicloud/credentials') as typeof CredentialsTypes,
  };
  return loaded;
}
