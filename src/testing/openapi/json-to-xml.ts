import { xmlDocument, xmlElement, type XmlContent, type XmlFragment } from '../oss/xml-builder.js';

function children(value: unknown): XmlContent {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') return String(value as string | number | boolean);
  return Object.entries(value as Record<string, unknown>).map(([name, child]) => elements(name, child));
}

function elements(name: string, value: unknown): XmlFragment[] {
  // An array is a repeated element, as OSS lists (`<Bucket>` per bucket) are.
  if (Array.isArray(value)) return value.flatMap((item) => elements(name, item));
  return [xmlElement(name, children(value))];
}

/**
 * Renders a JSON-able object with exactly one key as an XML document (`{ ListAllMyBucketsResult: {...} }`);
 * nested objects become elements, arrays repeated elements, other values escaped text. Undefined for any other
 * shape.
 */
export function jsonToXmlDocument(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) return undefined;
  const [name, content] = entries[0] as [string, unknown];
  if (Array.isArray(content)) return undefined;
  return xmlDocument(xmlElement(name, children(content)));
}
