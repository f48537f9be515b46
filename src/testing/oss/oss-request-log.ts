import type { OssAuthKind } from './request-authenticator.js';

/** One request as LocalOss saw it. Contains no secrets (no signatures' keys, no bodies). */
export interface OssRequestRecord {
  /** Sequence number, starting at 1. */
  readonly seq: number;
  readonly requestId: string;
  readonly method: string;
  /** Raw (encoded) request path. */
  readonly path: string;
  /** Decoded query parameters. */
  readonly query: Readonly<Record<string, string>>;
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  readonly authKind: OssAuthKind;
  /** The AccessKeyId the request was signed with, if it named one. */
  readonly accessKeyId: string | undefined;
  /** HTTP status answered; 0 when the client went away before the body was complete. */
  readonly status: number;
  /** OSS error code answered, if any (`IncompleteBody` for an aborted upload). */
  readonly errorCode: string | undefined;
  /** Request body bytes received (complete or not). */
  readonly bodyLength: number;
  /**
   * The `x-oss-copy-source` header as sent (e.g. `/bucket/key`) for CopyObject and UploadPartCopy, which
   * carry no body: it tells a copied part from an uploaded one.
   */
  readonly copySource: string | undefined;
  /** The StringToSign the server computed, for diagnosing `SignatureDoesNotMatch` (not secret). */
  readonly stringToSign: string | undefined;
}

/** Counters over all requests since start (or the last {@link OssRequestLog.clear}). */
export interface OssRequestCounters {
  readonly requests: number;
  readonly errors: number;
  /** Requests whose body never arrived completely (nothing stored). */
  readonly aborted: number;
  readonly byErrorCode: Readonly<Record<string, number>>;
  readonly byAccessKeyId: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<string, number>>;
}

/**
 * The request log of a LocalOss: the last `maxEntries` records (older ones are dropped so long benchmarks
 * don't grow the heap) and counters over all requests.
 */
export class OssRequestLog {
  readonly #maxEntries: number;
  #entries: OssRequestRecord[] = [];
  #counters = { requests: 0, errors: 0, aborted: 0 };
  #byErrorCode = new Map<string, number>();
  #byAccessKeyId = new Map<string, number>();
  #byStatus = new Map<string, number>();

  /** @param maxEntries - how many records to keep */
  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** Appends a record and updates the counters. */
  record(entry: OssRequestRecord): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#maxEntries) this.#entries.splice(0, this.#entries.length - this.#maxEntries);
    this.#counters.requests++;
    if (entry.status === 0 || entry.status >= 300) this.#counters.errors++;
    if (entry.status === 0) this.#counters.aborted++;
    const bump = (map: Map<string, number>, name: string | undefined) => {
      if (name !== undefined) map.set(name, (map.get(name) ?? 0) + 1);
    };
    bump(this.#byErrorCode, entry.errorCode);
    bump(this.#byAccessKeyId, entry.accessKeyId);
    bump(this.#byStatus, String(entry.status));
  }

  /** The kept records, oldest first (a copy). */
  entries(): OssRequestRecord[] {
    return [...this.#entries];
  }

  /** The most recent record, if any. */
  last(): OssRequestRecord | undefined {
    return this.#entries[this.#entries.length - 1];
  }

  /** A snapshot of the counters. */
  counters(): OssRequestCounters {
    return {
      ...this.#counters,
      byErrorCode: Object.fromEntries(this.#byErrorCode),
      byAccessKeyId: Object.fromEntries(this.#byAccessKeyId),
      byStatus: Object.fromEntries(this.#byStatus),
    };
  }

  /** Forgets records and counters. */
  clear(): void {
    this.#entries = [];
    this.#counters = { requests: 0, errors: 0, aborted: 0 };
    this.#byErrorCode.clear();
    this.#byAccessKeyId.clear();
    this.#byStatus.clear();
  }
}
