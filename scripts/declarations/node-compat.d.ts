// Shipped next to the package's entry declarations (dist/*/node-compat.d.ts) and referenced by them; see
// scripts/build.mjs. It declares the explicit-resource-management names our declarations use, so that they
// compile where neither TypeScript's `esnext.disposable` lib nor a recent @types/node declares them: e.g. beside a
// Tea SDK client that hoists @types/node 12, with skipLibCheck off. Each declaration is the standard one, so it
// merges with the lib's or @types/node's when those are present.
interface SymbolConstructor {
  readonly dispose: unique symbol;
  readonly asyncDispose: unique symbol;
}

interface Disposable {
  [Symbol.dispose](): void;
}

interface AsyncDisposable {
  [Symbol.asyncDispose](): PromiseLike<void>;
}
