import { ManagedCredentialsError } from '../../errors/managed-credentials-error.js';

/**
 * An {@link OpenApiSecretSource} cannot be built from its options: a bad endpoint or region, an unreadable
 * CA file, incomplete RAM credentials, or a credentials type the KMS OpenAPI path does not support.
 * The message names the option, file or credentials type; it never contains a secret.
 */
export class OpenApiSourceConfigError extends ManagedCredentialsError {}
