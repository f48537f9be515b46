import { inspect } from 'node:util';

/** A secret the tests must never find in output, with a label for failure messages. */
export interface KnownSecret {
  label: string;
  value: string;
}

/** One place a secret was found. */
export interface SecretLeak {
  secret: string;
  where: string;
}

const MIN_FRAGMENT_LENGTH = 16;

/**
 * The strings to look for for one secret. Plain values are searched as a whole. A PEM block (private key,
 * PKCS#12 base64) is split into its base64 lines too, so a partly printed key is still caught; long single
 * values also contribute their first and last 16 characters (a truncated dump still leaks).
 */
export function secretNeedles(secret: KnownSecret): KnownSecret[] {
  const needles: KnownSecret[] = [{ label: secret.label, value: secret.value }];
  const lines = secret.value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= MIN_FRAGMENT_LENGTH && !line.startsWith('-----'));
  if (lines.length > 1) {
    lines.forEach((line, index) => needles.push({ label: `${secret.label} (line ${index + 1})`, value: line }));
  } else if (secret.value.length >= 3 * MIN_FRAGMENT_LENGTH) {
    needles.push({ label: `${secret.label} (head)`, value: secret.value.slice(0, MIN_FRAGMENT_LENGTH) });
    needles.push({ label: `${secret.label} (tail)`, value: secret.value.slice(-MIN_FRAGMENT_LENGTH) });
  }
  return needles;
}

/**
 * Every way a caller might print `value`: `String()`, message and stack of errors, `util.inspect` with
 * depth Infinity and showHidden (so non-enumerable fields and the whole `cause` chain show), and
 * `JSON.stringify` (when it does not throw). Each rendering is labelled.
 */
export function renderings(value: unknown): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  const add = (where: string, render: () => unknown) => {
    try {
      const text = render();
      if (typeof text === 'string') out.push({ where, text });
    } catch (error) {
      out.push({ where: `${where} (threw)`, text: String((error as Error)?.message ?? error) });
    }
  };
  add('String()', () => String(value));
  add('util.inspect(showHidden, getters, depth Infinity)', () => inspect(value, { showHidden: true, depth: Infinity, getters: true }));
  add('util.inspect(default)', () => inspect(value));
  add('JSON.stringify', () => JSON.stringify(value));
  if (value instanceof Error) {
    add('message', () => value.message);
    add('stack', () => value.stack);
    let cause: unknown = (value as { cause?: unknown }).cause;
    for (let depth = 1; cause !== undefined && depth <= 10; depth++) {
      const current = cause;
      add(`cause[${depth}] String()`, () => String(current));
      add(`cause[${depth}] JSON.stringify`, () => JSON.stringify(current));
      if (current instanceof Error) add(`cause[${depth}] stack`, () => current.stack);
      cause = (current as { cause?: unknown } | null)?.cause;
    }
  }
  return out;
}

/** Where any of `secrets` (or a fragment) occurs in any of `texts`. */
export function findLeaks(texts: ReadonlyArray<{ where: string; text: string }>, secrets: readonly KnownSecret[]): SecretLeak[] {
  const needles = secrets.flatMap(secretNeedles);
  const leaks: SecretLeak[] = [];
  for (const { where, text } of texts) {
    for (const needle of needles) {
      if (needle.value.length > 0 && text.includes(needle.value)) leaks.push({ secret: needle.label, where });
    }
  }
  return leaks;
}

/** Shorthand: leaks of `secrets` in every rendering of `value`, each labelled with `context`. */
export function leaksIn(context: string, value: unknown, secrets: readonly KnownSecret[]): SecretLeak[] {
  return findLeaks(
    renderings(value).map(({ where, text }) => ({ where: `${context}: ${where}`, text })),
    secrets,
  );
}

/** Output captured by {@link captureProcessOutput}. */
export interface CapturedOutput {
  texts: Array<{ where: string; text: string }>;
  restore(): void;
}

/**
 * Captures everything written to stdout/stderr, every `console.*` call (formatted like console does) and
 * every `process.emitWarning` (the `warning` event), until `restore()`. The writes still go through, so
 * test output stays visible.
 */
export function captureProcessOutput(): CapturedOutput {
  const texts: Array<{ where: string; text: string }> = [];
  const originals = {
    stdout: process.stdout.write.bind(process.stdout),
    stderr: process.stderr.write.bind(process.stderr),
  };
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const consoleOriginals = consoleMethods.map((name) => [name, console[name]] as const);
  const chunkText = (chunk: unknown) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    texts.push({ where: 'stdout', text: chunkText(chunk) });
    return (originals.stdout as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    texts.push({ where: 'stderr', text: chunkText(chunk) });
    return (originals.stderr as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  for (const [name, original] of consoleOriginals) {
    console[name] = (...args: unknown[]) => {
      texts.push({ where: `console.${name}`, text: args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: Infinity }))).join(' ') });
      original.apply(console, args);
    };
  }
  const onWarning = (warning: Error) => {
    texts.push({ where: 'process warning', text: `${warning.name}: ${warning.message}\n${inspect(warning, { showHidden: true, depth: Infinity })}` });
  };
  process.on('warning', onWarning);
  return {
    texts,
    restore() {
      process.stdout.write = originals.stdout as typeof process.stdout.write;
      process.stderr.write = originals.stderr as typeof process.stderr.write;
      for (const [name, original] of consoleOriginals) console[name] = original;
      process.off('warning', onWarning);
    },
  };
}
