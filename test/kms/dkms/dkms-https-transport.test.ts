import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DkmsHttpsTransport } from '../../../src/kms/dkms/dkms-https-transport.js';
import { LocalDkms } from '../../../src/testing/dkms/local-dkms.js';
import { EarlyFiringClock, VirtualClock } from '../../support/virtual-clock.js';

let dkms: LocalDkms;

beforeAll(async () => {
  dkms = await LocalDkms.start();
});

afterAll(async () => {
  await dkms.close();
});

function transport(clock: VirtualClock): DkmsHttpsTransport {
  const [hostname, port] = dkms.endpoint.split(':') as [string, string];
  return new DkmsHttpsTransport({
    hostname,
    port: Number(port),
    ca: dkms.caBundlePem,
    ignoreSslCerts: false,
    connectTimeoutMs: 5_000,
    readTimeoutMs: 10_000,
    maxResponseBytes: 1 << 20,
    clock,
    description: `dkms(${dkms.endpoint})`,
  });
}

describe('DkmsHttpsTransport', () => {
  it('clips the whole-request timeout to the budget left (virtual time)', async () => {
    dkms.injectFault({ kind: 'latency', delayMs: Infinity }, { times: 2 });
    const clock = new VirtualClock(Date.now());
    const t = transport(clock);
    try {
      const held = dkms.nextRequest();
      const clipped = t.send({}, Buffer.from('x'), { budgetMs: 700 }).catch((error: unknown) => error);
      await held;
      await clock.advance(699);
      const unclipped = new AbortController();
      const heldAgain = dkms.nextRequest();
      const configured = t.send({}, Buffer.from('x'), { signal: unclipped.signal }).catch((error: unknown) => error);
      await heldAgain;
      await clock.advance(1);
      expect(await clipped).toMatchObject({ code: 'Kms.ReadTimeout', retryable: true, message: expect.stringContaining('timed out after 700 ms') });
      // Without a budget the configured 10 s apply: still waiting.
      await clock.advance(5_000);
      unclipped.abort(new Error('done'));
      expect(await configured).toEqual(new Error('done'));
    } finally {
      t.close();
    }
  });

  it('does not time out before the budget’s end when its timer fires early', async () => {
    dkms.injectFault({ kind: 'latency', delayMs: Infinity });
    const clock = new EarlyFiringClock(Date.now());
    const t = transport(clock);
    try {
      const held = dkms.nextRequest();
      let settled = false;
      const clipped = t.send({}, Buffer.from('x'), { budgetMs: 700 }).catch((error: unknown) => error).finally(() => (settled = true));
      await held;
      await clock.advance(699);
      expect(settled).toBe(false);
      await clock.advance(1);
      expect(await clipped).toMatchObject({ code: 'Kms.ReadTimeout', message: expect.stringContaining('timed out after 700 ms') });
    } finally {
      t.close();
    }
  });
});
