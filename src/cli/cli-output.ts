/**
 * Where the CLI writes, and how: plain lines for logs and CI, an in-place status line and colour only on a
 * terminal that wants them.
 */
export interface CliOutput {
  /** Writes one line (a newline is added). */
  line(text: string): void;
  /**
   * Replaces the transient status line (a terminal only; elsewhere it is dropped, callers print periodic
   * lines instead). An empty string clears it.
   */
  status(text: string): void;
  /** Whether the output is an interactive terminal (status line, cursor control). */
  readonly interactive: boolean;
  /** Whether ANSI colour may be used (a terminal, and `NO_COLOR` unset). */
  readonly color: boolean;
}

/** A writable the CLI can print to: `process.stdout` or a test's collector. */
export interface TextSink {
  write(text: string): unknown;
  /** `true` for a terminal. */
  isTTY?: boolean;
}

/**
 * An output over `sink`. Colour follows the informal `NO_COLOR` convention (any non-empty value turns it
 * off) and is never used when the sink is not a terminal.
 */
export function createCliOutput(sink: TextSink, env: Readonly<Record<string, string | undefined>> = process.env): CliOutput {
  const interactive = sink.isTTY === true;
  const color = interactive && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
  let statusShown = false;
  const clearStatus = () => {
    if (statusShown) sink.write('\r\x1b[2K');
    statusShown = false;
  };
  return {
    interactive,
    color,
    line(text) {
      clearStatus();
      sink.write(`${text}\n`);
    },
    status(text) {
      if (!interactive) return;
      clearStatus();
      if (text === '') return;
      sink.write(text);
      statusShown = true;
    },
  };
}

/** An output that keeps every line in memory, for tests and for `--json` runs that print at the end. */
export function createMemoryOutput(): CliOutput & { readonly lines: string[]; text(): string } {
  const lines: string[] = [];
  return {
    interactive: false,
    color: false,
    lines,
    line(text) {
      lines.push(text);
    },
    status() {},
    text() {
      return lines.map((line) => `${line}\n`).join('');
    },
  };
}
