import { ManagedCredentialsError } from '../../errors/managed-credentials-error.js';

/** Stable codes of {@link OpenApiSourceConfigError}. */
export const OpenApiSourceConfigErrorCode = {
  /** `regionId` is not a region id like `cn-hangzhou`. */
  InvalidRegionId: 'OpenApiConfig.InvalidRegionId',
  /** The endpoint is not a host (optionally with a port), or has a path, query or credentials. */
  InvalidEndpoint: 'OpenApiConfig.InvalidEndpoint',
  /** The endpoint uses plain http (allowed only for loopback test servers). */
  InsecureEndpoint: 'OpenApiConfig.InsecureEndpoint',
  /** Both `caFilePath` and `ca` are given, or the CA holds no PEM certificate. */
  InvalidCa: 'OpenApiConfig.InvalidCa',
  /** `caFilePath` cannot be read. */
  CaFileUnreadable: 'OpenApiConfig.CaFileUnreadable',
  /** An option of the source has a wrong type or is out of range. */
  InvalidOption: 'OpenApiConfig.InvalidOption',
  /** The RAM credentials are incomplete or cannot be used. */
  InvalidCredentials: 'OpenApiConfig.InvalidCredentials',
  /** The credentials type cannot sign KMS OpenAPI calls (`client_key`). */
  UnsupportedCredentialsType: 'OpenApiConfig.UnsupportedCredentialsType',
  /** The optional KMS OpenAPI packages (`@alicloud/*`) are not installed; the message names the install command. */
  PackagesMissing: 'OpenApiConfig.PackagesMissing',
} as const;

/** One of the {@link OpenApiSourceConfigErrorCode} values. */
export type OpenApiSourceConfigErrorCode = (typeof OpenApiSourceConfigErrorCode)[keyof typeof OpenApiSourceConfigErrorCode];

/**
 * An {@link OpenApiSecretSource} cannot be built from its options: a bad endpoint or region, an unreadable
 * CA file, incomplete RAM credentials, or a credentials type the KMS OpenAPI path does not support.
 * The message names the option, file or credentials type; it never contains a secret.
 */
export class OpenApiSourceConfigError extends ManagedCredentialsError {
  /** One of {@link OpenApiSourceConfigErrorCode}. */
  declare readonly code: OpenApiSourceConfigErrorCode;

  /**
   * @param code - one of {@link OpenApiSourceConfigErrorCode}
   * @param message - names the option, file or credentials type; never a secret
   * @param options - standard `ErrorOptions` (`cause`)
   */
  constructor(code: OpenApiSourceConfigErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
