import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { collectingEnvironment } from './cli-test-io.js';

async function cli(...argv: string[]) {
  const io = collectingEnvironment({});
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('CLI usage and help', () => {
  it.each([['--help'], ['-h']])('doctor %s prints the doctor usage on stdout and exits 0', async (flag) => {
    const { code, out, err } = await cli('doctor', flag);
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toMatch(/^usage: ali-oss-managed-credentials doctor \[--config FILE\]/);
    for (const option of ['--config FILE', '--secret NAME', '--bucket B --endpoint E', '--oss-timeout MS', '--json', '-h, --help']) {
      expect(out).toContain(option);
    }
    expect(out).toContain('exit codes:\n  0  every check passed\n  1  the application would fail');
    expect(out).toContain('3  the application works through failover');
  });

  it('doctor --help wins over another mistake on the same line', async () => {
    const { code, out } = await cli('doctor', '--no-such-flag', '--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: ali-oss-managed-credentials doctor/);
  });

  it.each([['--help'], ['-h'], ['help']])('ali-oss-managed-credentials %s prints the usage with the doctor options and exits 0', async (flag) => {
    const { code, out } = await cli(flag);
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: ali-oss-managed-credentials <command>/);
    expect(out).toContain('--oss-timeout MS');
  });

  it('demo --help prints the demo usage and exits 0 instead of running the demo', async () => {
    const { code, out } = await cli('demo', '--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: ali-oss-managed-credentials demo\n/);
  });

  it('exits 2 with a short message and the synopsis for wrong arguments', async () => {
    const unknown = await cli('doctor', '--no-such-flag');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe(
      "error: doctor: Unknown option '--no-such-flag'\n" +
        'usage: ali-oss-managed-credentials doctor [--config FILE] [--secret NAME] [--bucket B --endpoint E [--region R] [--oss-timeout MS]] [--json]\n' +
        '(ali-oss-managed-credentials doctor --help for details)\n',
    );
    expect((await cli('doctor', '--bucket', 'b')).code).toBe(2);
    expect((await cli('doctor', 'positional')).code).toBe(2);
    for (const value of ['0', '-5', '1.5', 'soon']) {
      const timeout = await cli('doctor', `--oss-timeout=${value}`);
      expect(timeout.code).toBe(2);
      expect(timeout.err).toContain(`--oss-timeout takes a whole number of milliseconds (1 or more), got "${value}"`);
    }
  });
});
