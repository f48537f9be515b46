import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads the whole file at `path` if it holds at most `maxBytes` bytes; returns `undefined` when it is larger.
 *
 * Never reads more than `maxBytes + 1` bytes: the size is checked with `fstat` on the opened descriptor
 * first, and the read stops one byte past the limit in case the file grows meanwhile or reports no size
 * (procfs). A configured file is read synchronously inside a constructor, so a mistaken path to a huge file
 * must fail at once instead of blocking the process. Open and read errors are thrown as Node errno errors.
 */
export function readFileUpTo(path: string, maxBytes: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > maxBytes) return undefined;
    const limit = maxBytes + 1;
    let buffer = Buffer.allocUnsafe(Math.min(limit, Math.max(size + 1, 4096)));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (buffer.length === limit) return undefined; // grew past the limit after fstat
        const grown = Buffer.allocUnsafe(Math.min(limit, buffer.length * 2));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return length > maxBytes ? undefined : Buffer.from(buffer.subarray(0, length));
  } finally {
    closeSync(fd);
  }
}
