/** What an error's code may look like to become an attribute value: a short identifier, nothing free-form. */
const CODE_PATTERN = /^[A-Za-z][\w.:-]{0,79}$/;

/**
 * The `error.type` attribute value of a failed fetch: the error's `code` (`Rejected.Throttling`,
 * `Kms.FetchTimeout`, `SecretData.MissingField`, ...), else its `name`, else `_OTHER`. Only short identifiers
 * pass, so no message text (and so no value that could be secret) becomes an attribute.
 */
export function errorType(error: unknown): string {
  const { code, name } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && CODE_PATTERN.test(code)) return code;
  if (typeof name === 'string' && CODE_PATTERN.test(name)) return name;
  return '_OTHER';
}

/** The `source` of a failed fetch when the error names one (a `KmsError` does), as a span attribute. */
export function errorSource(error: unknown): string | undefined {
  const source = (typeof error === 'object' && error !== null ? (error as { source?: unknown }).source : undefined);
  return typeof source === 'string' && source.length > 0 ? source.slice(0, 200) : undefined;
}
