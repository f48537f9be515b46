/**
 * A request body of a simulated call. A replayable one (a Buffer) may be sent any number of times; a
 * stream-like one counts every send, so sending it twice is visible (a real stream would send nothing or a
 * truncated object the second time).
 */
export class SimBody {
  /** How many times the body was put on the wire. */
  sends = 0;
  /** The bytes of a replayable body. */
  readonly buffer: Buffer | undefined;

  /** @param replayable - a Buffer body (`true`) or a stream (`false`) */
  constructor(readonly replayable: boolean) {
    this.buffer = replayable ? Buffer.from('simulated object') : undefined;
  }

  /** Stream-likeness, as the library's stream check sees it. */
  on(): this {
    return this;
  }

  /** Stream-likeness, as the library's stream check sees it. */
  pipe(): void {
    if (this.replayable) throw new Error('a Buffer body has no pipe');
  }

  /** Puts the body on the wire once. */
  send(): void {
    this.sends += 1;
  }
}
