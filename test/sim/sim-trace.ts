/** One OSS request a call sent (one attempt). Times are monotonic virtual ms. */
export interface SendRecord {
  callId: number;
  /** 0 for the first attempt of the call, then 1, 2... */
  attempt: number;
  seq: number;
  atMs: number;
  accessKeyId: string;
  /** When OSS answered; `undefined` while in flight. */
  endAtMs: number | undefined;
  /** What OSS answered: `ok`, an error code, or `403` for a code-less 403. */
  result: string | undefined;
}

/** One call of the workload. */
export interface CallRecord {
  id: number;
  startedAtMs: number;
  startSeq: number;
  replayable: boolean;
  settledAtMs: number | undefined;
  settleSeq: number | undefined;
  ok: boolean | undefined;
  /** `code` of the error the caller got (or its name). */
  errorCode: string | undefined;
  /** Whether the error was marked `retryWithFreshBody`. */
  freshBody: boolean;
  sends: SendRecord[];
  /** How many times the call's body was put on the wire. */
  bodySends: number;
}

/** A rejection a call reported to the cache (the cache's `reject` event). */
export interface RejectReport {
  seq: number;
  atMs: number;
  accessKeyId: string;
  suspected: boolean;
  held: boolean;
}

/** A success the call core reported for a key it had seen rejected (`reportKeyAccepted`). */
export interface AcceptReport {
  seq: number;
  atMs: number;
  accessKeyId: string;
}

/** One fetch of the cache from its source (the failover group), as seen between the two. */
export interface FetchRecord {
  seq: number;
  atMs: number;
  endSeq: number | undefined;
  endAtMs: number | undefined;
  /** The AccessKeyId answered, for a success that carries one. */
  accessKeyId: string | undefined;
  /** `ok`, or the error's code. */
  outcome: string | undefined;
  /** What started it, as the cache's `refresh`/`error` event says (`load`, `forced`, `recovery`...). */
  trigger: string | undefined;
}

/** One request to a scripted KMS source. */
export interface AskRecord {
  source: number;
  seq: number;
  atMs: number;
  endSeq: number | undefined;
  endAtMs: number | undefined;
  /** `ok <key>`, a fault name, or `aborted`. */
  outcome: string | undefined;
}

/**
 * Everything observable that happened in one run, in order (`seq` is a global counter, so two records in
 * the same virtual millisecond still have an order). The invariants are checked on it; with `verbose` it
 * also keeps a readable line per record.
 */
export class SimTrace {
  readonly calls: CallRecord[] = [];
  readonly rejects: RejectReport[] = [];
  readonly accepts: AcceptReport[] = [];
  readonly fetches: FetchRecord[] = [];
  readonly asks: AskRecord[] = [];
  readonly unhandled: { atMs: number; reason: string }[] = [];
  readonly lines: string[] = [];
  readonly #fetchEndWaiters = new Map<FetchRecord, (() => void)[]>();
  #seq = 0;

  /**
   * @param now - the virtual monotonic clock
   * @param verbose - keep a readable line per record
   */
  constructor(
    private readonly now: () => number,
    readonly verbose: boolean,
  ) {}

  /** The next sequence number. */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** Adds a readable line (verbose runs only). */
  note(text: string | (() => string)): void {
    if (!this.verbose) return;
    this.lines.push(`${(this.now() / 1000).toFixed(3).padStart(9)} s  ${typeof text === 'string' ? text : text()}`);
  }

  /** A call of the workload starts. */
  callStarted(replayable: boolean): CallRecord {
    const call: CallRecord = {
      id: this.calls.length + 1,
      startedAtMs: this.now(),
      startSeq: this.nextSeq(),
      replayable,
      settledAtMs: undefined,
      settleSeq: undefined,
      ok: undefined,
      errorCode: undefined,
      freshBody: false,
      sends: [],
      bodySends: 0,
    };
    this.calls.push(call);
    this.note(() => `call #${call.id} starts (${replayable ? 'replayable' : 'stream'} body)`);
    return call;
  }

  /** `call` settled: with `error`, or successfully when it is `undefined`. */
  callSettled(call: CallRecord, error: unknown): void {
    call.settledAtMs = this.now();
    call.settleSeq = this.nextSeq();
    call.ok = error === undefined;
    if (error !== undefined) {
      const { code, name, retryWithFreshBody } = (typeof error === 'object' && error !== null ? error : {}) as {
        code?: unknown;
        name?: unknown;
        retryWithFreshBody?: unknown;
      };
      call.errorCode = typeof code === 'string' ? code : typeof name === 'string' ? name : String(error);
      call.freshBody = retryWithFreshBody === true;
    }
    this.note(() => `call #${call.id} ${call.ok ? 'succeeds' : `fails: ${call.errorCode}${call.freshBody ? ' (retryWithFreshBody)' : ''}`}`);
  }

  /** `call` sent an OSS request signed with `accessKeyId`. */
  sent(call: CallRecord, accessKeyId: string): SendRecord {
    const send: SendRecord = {
      callId: call.id,
      attempt: call.sends.length,
      seq: this.nextSeq(),
      atMs: this.now(),
      accessKeyId,
      endAtMs: undefined,
      result: undefined,
    };
    call.sends.push(send);
    this.note(() => `call #${call.id} attempt ${send.attempt} sent with ${accessKeyId}`);
    return send;
  }

  /** OSS answered `send` (`ok` or an error code). */
  answered(send: SendRecord, result: string): void {
    send.endAtMs = this.now();
    send.result = result;
    this.note(() => `call #${send.callId} attempt ${send.attempt}: OSS answers ${result}`);
  }

  /** The cache was told that `accessKeyId` was rejected (its `reject` event). */
  rejected(accessKeyId: string, suspected: boolean, held: boolean): void {
    this.rejects.push({ seq: this.nextSeq(), atMs: this.now(), accessKeyId, suspected, held });
    this.note(() => `cache told: ${accessKeyId} ${suspected ? 'suspected' : 'rejected'}${held ? ' (held)' : ''}`);
  }

  /** The call core reported a success with `accessKeyId` (`reportKeyAccepted`). */
  accepted(accessKeyId: string): void {
    this.accepts.push({ seq: this.nextSeq(), atMs: this.now(), accessKeyId });
    this.note(() => `cache told: ${accessKeyId} accepted again`);
  }

  /** The cache started a fetch from its source. */
  fetchStarted(): FetchRecord {
    const fetch: FetchRecord = {
      seq: this.nextSeq(),
      atMs: this.now(),
      endSeq: undefined,
      endAtMs: undefined,
      accessKeyId: undefined,
      outcome: undefined,
      trigger: undefined,
    };
    this.fetches.push(fetch);
    this.note(() => `cache fetch ${this.fetches.length} starts`);
    return fetch;
  }

  /** A fetch of the cache ended (`ok` with the AccessKeyId delivered, or the error's code). */
  fetchEnded(fetch: FetchRecord, outcome: string, accessKeyId: string | undefined): void {
    fetch.endSeq = this.nextSeq();
    fetch.endAtMs = this.now();
    fetch.outcome = outcome;
    fetch.accessKeyId = accessKeyId;
    this.note(() => `cache fetch ${this.fetches.indexOf(fetch) + 1} ends: ${outcome}${accessKeyId === undefined ? '' : ` ${accessKeyId}`}`);
    for (const resolve of this.#fetchEndWaiters.get(fetch) ?? []) resolve();
    this.#fetchEndWaiters.delete(fetch);
  }

  /** Records what started the fetch that ended last (the cache names it in the event it publishes then). */
  fetchTrigger(trigger: string): void {
    const fetch = this.fetches.findLast((f) => f.endSeq !== undefined);
    if (fetch !== undefined && fetch.trigger === undefined) fetch.trigger = trigger;
  }

  /** Settles when `fetch` has ended. */
  fetchEnd(fetch: FetchRecord): Promise<void> {
    if (fetch.endAtMs !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#fetchEndWaiters.get(fetch) ?? [];
      waiters.push(resolve);
      this.#fetchEndWaiters.set(fetch, waiters);
    });
  }

  /** KMS endpoint `source` received a request. */
  askStarted(source: number): AskRecord {
    const ask: AskRecord = { source, seq: this.nextSeq(), atMs: this.now(), endSeq: undefined, endAtMs: undefined, outcome: undefined };
    this.asks.push(ask);
    return ask;
  }

  /** KMS endpoint answered `ask` (or it was aborted). */
  askEnded(ask: AskRecord, outcome: string): void {
    ask.endSeq = this.nextSeq();
    ask.endAtMs = this.now();
    ask.outcome = outcome;
    this.note(() => `kms[${ask.source}] ask from ${(ask.atMs / 1000).toFixed(3)} s: ${outcome}`);
  }

  /** The process reported an unhandled rejection during the run. */
  unhandledRejection(reason: unknown): void {
    const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    this.unhandled.push({ atMs: this.now(), reason: text });
    this.note(`UNHANDLED REJECTION ${text}`);
  }
}
