import { ManagedCredentialsError } from '../../errors/managed-credentials-error.js';

/**
 * Thrown by LocalOpenApi's own API (not over the wire) when a test uses it wrongly. `code` is one of
 * `LocalOpenApi.InvalidArgument` (e.g. a route without action or path), `LocalOpenApi.DuplicateKey`,
 * `LocalOpenApi.UnknownKey` (from {@link LocalOpenApi.keys}).
 */
export class LocalOpenApiError extends ManagedCredentialsError {}
