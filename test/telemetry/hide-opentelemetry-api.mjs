// A module resolution hook (node:module register) that makes @opentelemetry/api unresolvable, as in an
// application that did not install the optional peer: the specifier is renamed to a package that does not
// exist, so Node's own resolver fails with its real ERR_MODULE_NOT_FOUND.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === '@opentelemetry/api' || specifier.startsWith('@opentelemetry/api/')) {
    return nextResolve(specifier.replace('@opentelemetry/api', '@opentelemetry/api-not-installed'), context);
  }
  return nextResolve(specifier, context);
}
