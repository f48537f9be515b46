import { format } from 'node:util';
import OSS from 'ali-oss';
import { expect, vi } from 'vitest';

/** What a capture collected; `restore()` ends it (call it in `finally`/`afterEach`); messages stay readable. */
export interface Capture {
  /** The captured messages, formatted as they would have been printed. */
  messages(): string[];
  restore(): void;
}

/**
 * Captures `process.emitWarning` for a test that causes warnings on purpose, so they are asserted instead of
 * printed into the test log. Each message is `[CODE] message` when the warning has a code.
 */
export function captureProcessWarnings(): Capture {
  const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  return keepAfterRestore(spy, () =>
    (spy.mock.calls as unknown[][]).map(([warning, options, codeArg]) => {
      const message = typeof warning === 'string' ? warning : (warning as Error).message;
      // emitWarning(warning, { code }) or emitWarning(warning, type, code)
      const code =
        typeof options === 'object' && options !== null ? (options as { code?: string }).code : typeof codeArg === 'string' ? codeArg : undefined;
      return code === undefined ? message : `[${code}] ${message}`;
    }),
  );
}

/**
 * Captures `console.warn` for a test whose third-party code warns on purpose (ali-oss' `refreshSTSToken`
 * advice for a client built with an STS token, urllib's "callback twice" when a test breaks an upload).
 */
export function captureConsoleWarn(): Capture {
  const spy = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  return keepAfterRestore(spy, () => spy.mock.calls.map((args) => format(...args)));
}

/** `mockRestore()` also forgets the calls: read them first, so `messages()` works after `restore()`. */
function keepAfterRestore(spy: { mockRestore(): void }, read: () => string[]): Capture {
  let kept: string[] | undefined;
  return {
    messages: () => kept ?? read(),
    restore: () => {
      kept ??= read();
      spy.mockRestore();
    },
  };
}

/**
 * `new OSS(options)` for tests that build raw ali-oss clients. With an `stsToken` and no `refreshSTSToken`,
 * ali-oss prints advice to set one (these tests manage tokens themselves): it is captured and checked here
 * instead of printed.
 */
export function newOssClient(options: OSS.Options): OSS {
  if (options.stsToken === undefined) return new OSS(options);
  const warnings = captureConsoleWarn();
  try {
    const client = new OSS(options);
    expect(warnings.messages()).toEqual([expect.stringContaining("It's recommended to set 'refreshSTSToken'")]);
    return client;
  } finally {
    warnings.restore();
  }
}
