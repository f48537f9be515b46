import type { OpenApiSignatureKind, OpenApiStyle } from './open-api-call.js';

/**
 * One request as LocalOpenApi saw it. Holds no secret: no signature, AccessKeySecret, security token, parameter
 * or body. Added when the request arrives; `status` stays 0 until it is answered (0 for good when the connection
 * was dropped or the emulator closed first).
 */
export interface OpenApiRequestRecord {
  /** Sequence number, starting at 1. */
  readonly seq: number;
  /** The RequestId of the answer. */
  readonly requestId: string;
  /** Emulator clock when the request arrived, epoch ms. */
  readonly atMs: number;
  readonly method: string;
  /** The raw request path, without the query. */
  readonly path: string;
  readonly style: OpenApiStyle;
  readonly action: string | undefined;
  readonly version: string | undefined;
  readonly signature: OpenApiSignatureKind;
  /** The AccessKeyId the request named, if any (also when it was rejected). */
  readonly accessKeyId: string | undefined;
  /** Whether a security token was sent. */
  readonly hasSecurityToken: boolean;
  /** The injected fault's kind, if one was applied. */
  readonly fault: string | undefined;
  /** HTTP status of the answer; 0 while pending or when the connection was dropped. */
  readonly status: number;
  /** Error code of the answer, if it failed. */
  readonly errorCode: string | undefined;
  /** Request body bytes. */
  readonly requestBytes: number;
  /** Response body bytes. */
  readonly responseBytes: number;
}

/** Counters over all answered or dropped requests since start (or the last clear). */
export interface OpenApiRequestCounters {
  readonly requests: number;
  /** Answers with a status >= 300, plus dropped connections. */
  readonly errors: number;
  /** Requests dropped without an answer (reset faults, close while held). */
  readonly dropped: number;
  readonly byAction: Readonly<Record<string, number>>;
  readonly byErrorCode: Readonly<Record<string, number>>;
  readonly byAccessKeyId: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<string, number>>;
}

/** A record the emulator fills in while the request runs. */
export type OpenApiRequestRecordDraft = { -readonly [K in keyof OpenApiRequestRecord]: OpenApiRequestRecord[K] };

/** How the emulator writes to its log (handed over at construction, so the log has no public mutators). */
export interface OpenApiRequestLogWriter {
  /** Adds a record for an arriving request and returns it to be filled in. */
  open(record: OpenApiRequestRecord): OpenApiRequestRecordDraft;
  /** Counts a request once it was answered (or dropped: status 0). */
  count(record: OpenApiRequestRecord): void;
}

/**
 * The request log of a LocalOpenApi: the last `maxEntries` records (older ones are dropped so long runs don't
 * grow the heap) and counters over all requests.
 */
export class OpenApiRequestLog {
  readonly #maxEntries: number;
  #entries: OpenApiRequestRecord[] = [];
  #requests = 0;
  #errors = 0;
  #dropped = 0;
  readonly #byAction = new Map<string, number>();
  readonly #byErrorCode = new Map<string, number>();
  readonly #byAccessKeyId = new Map<string, number>();
  readonly #byStatus = new Map<string, number>();

  /**
   * @param maxEntries - how many records to keep
   * @param connect - receives the writer the emulator records with
   */
  constructor(maxEntries: number, connect: (writer: OpenApiRequestLogWriter) => void) {
    this.#maxEntries = maxEntries;
    connect({ open: (record) => this.#open(record), count: (record) => this.#count(record) });
  }

  #open(record: OpenApiRequestRecord): OpenApiRequestRecordDraft {
    const entry: OpenApiRequestRecordDraft = { ...record };
    this.#entries.push(entry);
    if (this.#entries.length > this.#maxEntries) this.#entries.splice(0, this.#entries.length - this.#maxEntries);
    return entry;
  }

  #count(record: OpenApiRequestRecord): void {
    this.#requests++;
    if (record.status === 0 || record.status >= 300) this.#errors++;
    if (record.status === 0) this.#dropped++;
    const bump = (map: Map<string, number>, name: string | undefined) => {
      if (name !== undefined) map.set(name, (map.get(name) ?? 0) + 1);
    };
    bump(this.#byAction, record.action);
    bump(this.#byErrorCode, record.errorCode);
    bump(this.#byAccessKeyId, record.accessKeyId);
    bump(this.#byStatus, String(record.status));
  }

  /** The kept records, oldest first (a copy of each). */
  entries(): OpenApiRequestRecord[] {
    return this.#entries.map((entry) => ({ ...entry }));
  }

  /** The most recent record, if any (a copy). */
  last(): OpenApiRequestRecord | undefined {
    const last = this.#entries[this.#entries.length - 1];
    return last && { ...last };
  }

  /** A snapshot of the counters. */
  counters(): OpenApiRequestCounters {
    return {
      requests: this.#requests,
      errors: this.#errors,
      dropped: this.#dropped,
      byAction: Object.fromEntries(this.#byAction),
      byErrorCode: Object.fromEntries(this.#byErrorCode),
      byAccessKeyId: Object.fromEntries(this.#byAccessKeyId),
      byStatus: Object.fromEntries(this.#byStatus),
    };
  }

  /** Forgets records and counters. */
  clear(): void {
    this.#entries = [];
    this.#requests = 0;
    this.#errors = 0;
    this.#dropped = 0;
    this.#byAction.clear();
    this.#byErrorCode.clear();
    this.#byAccessKeyId.clear();
    this.#byStatus.clear();
  }
}
