import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isReplayableTeaRequest } from '../../src/tea/tea-replayability.js';

describe('isReplayableTeaRequest', () => {
  it('replays requests whose arguments hold maps, strings and Buffers only', () => {
    const runtime = { autoretry: false };
    expect(isReplayableTeaRequest(['GetCallerIdentity', '2015-04-01', 'HTTPS', 'POST', 'AK', 'json', { query: { a: '1' } }, runtime])).toBe(true);
    expect(isReplayableTeaRequest([{ action: 'PutObject' }, { body: Buffer.from('x'), stream: undefined }, runtime])).toBe(true);
    expect(isReplayableTeaRequest([{ action: 'X' }, { body: 'text' }, runtime])).toBe(true);
    expect(isReplayableTeaRequest([])).toBe(true);
  });

  it('never replays a request with a stream as an argument or as the stream or body of one', () => {
    const params = { action: 'PutObject', style: 'ROA' };
    expect(isReplayableTeaRequest([params, { stream: Readable.from(['x']) }, {}])).toBe(false);
    expect(isReplayableTeaRequest([params, { body: new PassThrough() }, {}])).toBe(false);
    expect(isReplayableTeaRequest([params, new Writable(), {}])).toBe(false);
  });
});
