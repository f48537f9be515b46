import { XMLParser } from 'fast-xml-parser';
import type { Clock } from '../../runtime/clock.js';
import type { OssBucketState } from './object-store.js';
import { OssServiceError } from './oss-service-error.js';
import type { RequestTarget } from './request-target.js';
import type { XmlFragment } from './xml-builder.js';
import { xmlDocument, xmlElement } from './xml-builder.js';

/** An authenticated request with its complete body, as the operations see it. */
export interface OssRequest {
  readonly method: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly target: RequestTarget;
  readonly body: Buffer;
  /** Server time of the request. */
  readonly nowMs: number;
}

/** What an operation answers (errors are thrown as {@link OssServiceError}). */
export interface OssReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
}

/** Shared state the operations work on. */
export interface OssState {
  readonly buckets: Map<string, OssBucketState>;
  readonly clock: Clock;
  /** Region id with the `oss-` prefix, e.g. `oss-cn-hangzhou`. */
  readonly region: string;
  /** Owner id shown in listings and ACLs. */
  readonly ownerId: string;
  /** Generates upload ids. */
  nextUploadId(): string;
}

/** An XML reply with status 200 (or `status`). */
export function xmlReply(root: XmlFragment, headers: Record<string, string> = {}, status = 200): OssReply {
  return { status, headers: { 'content-type': 'application/xml', ...headers }, body: xmlDocument(root) };
}

/** `<Owner>` as OSS renders it. */
export function ownerXml(state: OssState): XmlFragment {
  return xmlElement('Owner', xmlElement('ID', state.ownerId), xmlElement('DisplayName', state.ownerId));
}

/** OSS's ISO-8601 time format with milliseconds. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The bucket of the request, or `NoSuchBucket`. */
export function requireBucket(state: OssState, name: string): OssBucketState {
  const bucket = state.buckets.get(name);
  if (!bucket) throw new OssServiceError('NoSuchBucket', { extra: { BucketName: name } });
  return bucket;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  // Numeric character references (ali-oss escapes ' as &#39;) are only decoded with htmlEntities.
  htmlEntities: true,
  isArray: (name) => name === 'Object' || name === 'Part' || name === 'Tag',
});

/** Parses a request's XML body; a body that is not XML answers `MalformedXML`. */
export function parseRequestXml(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = parser.parse(body.toString('utf8'), true);
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new OssServiceError('MalformedXML');
  }
}

/** Reads a child element that must be an object (or absent). */
export function childObject(value: unknown, name: string): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const child = (value as Record<string, unknown>)[name];
  return typeof child === 'object' && child !== null && !Array.isArray(child)
    ? (child as Record<string, unknown>)
    : undefined;
}

/** Reads a list of child elements (configured as arrays in the parser). */
export function childList(value: unknown, name: string): Record<string, unknown>[] {
  if (typeof value !== 'object' || value === null) return [];
  const child = (value as Record<string, unknown>)[name];
  if (!Array.isArray(child)) return [];
  return child.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
}

/** Reads a text child element. */
export function childText(value: Record<string, unknown>, name: string): string | undefined {
  const child = value[name];
  if (typeof child === 'string') return child;
  if (typeof child === 'object' && child !== null && !Array.isArray(child)) {
    // An element holding only whitespace text parses as an object with '#text' when trimValues is off.
    const text = (child as Record<string, unknown>)['#text'];
    return typeof text === 'string' ? text : '';
  }
  return undefined;
}

/** Parses an integer query parameter in `[min, max]`, or `InvalidArgument`. */
export function intParam(query: ReadonlyMap<string, string>, name: string, fallback: number, min: number, max: number) {
  const raw = query.get(name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new OssServiceError('InvalidArgument', {
      message: `Argument ${name} must be an integer between ${min} and ${max}.`,
      extra: { ArgumentName: name, ArgumentValue: raw },
    });
  }
  return value;
}
