import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileUpTo } from '../../src/config/read-file-up-to.js';
import { ConfigTestDir } from './config-test-dir.js';

let dir: ConfigTestDir;
beforeEach(() => {
  dir = new ConfigTestDir();
});
afterEach(() => dir.remove());

describe('readFileUpTo', () => {
  it('returns the whole content up to the limit, and undefined one byte past it', () => {
    expect(readFileUpTo(dir.write('empty', ''), 10)).toEqual(Buffer.alloc(0));
    expect(readFileUpTo(dir.write('at-limit', '0123456789'), 10)?.toString()).toBe('0123456789');
    expect(readFileUpTo(dir.write('past-limit', '0123456789A'), 10)).toBeUndefined();
    const big = 'x'.repeat(100_000); // larger than the first buffer
    expect(readFileUpTo(dir.write('big', big), 100_000)?.toString()).toBe(big);
  });

  it('stops reading one byte past the limit when the size is unknown (an endless character device)', () => {
    // fstat reports size 0 for /dev/zero, which never ends: without the bound this would never return.
    expect(readFileUpTo('/dev/zero', 64 * 1024)).toBeUndefined();
  });

  it('throws the errno error of a missing file', () => {
    expect(() => readFileUpTo(`${dir.path}/missing`, 10)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
