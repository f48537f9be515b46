/**
 * A synchronous `require` resolved from this package's own location (CommonJS build; tshy uses this file in
 * place of `require-from-package.ts`). See that file.
 */
export const requireFromPackage: NodeJS.Require = require;
