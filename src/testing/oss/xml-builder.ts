/**
 * A rendered piece of XML. Only {@link xmlElement} creates these, so anything that is not a fragment is
 * text and gets escaped: there is no way to splice unescaped user data into a reply.
 */
export class XmlFragment {
  /** @param text - well-formed XML produced by {@link xmlElement} */
  constructor(readonly text: string) {}
}

/** What an element may contain: text (escaped), numbers, booleans, fragments, or lists of those. */
export type XmlContent = XmlFragment | string | number | boolean | undefined | null | readonly XmlContent[];

// XML 1.0 forbids most C0 controls even as character references; OSS itself switches to
// `encoding-type=url` for such keys. We replace them so the document stays parseable.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for use as XML character data or an attribute value. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(FORBIDDEN_XML_CHARS, '\uFFFD');
}

function render(content: XmlContent): string {
  if (content === undefined || content === null) return '';
  if (content instanceof XmlFragment) return content.text;
  if (Array.isArray(content)) return content.map(render).join('');
  return escapeXml(String(content as string | number | boolean));
}

/** Builds `<name>content</name>`; `content` is escaped unless it is an {@link XmlFragment}. */
export function xmlElement(name: string, ...content: XmlContent[]): XmlFragment {
  return new XmlFragment(`<${name}>${render(content)}</${name}>`);
}

/** Serialises a document with the XML declaration OSS puts in front of every reply. */
export function xmlDocument(root: XmlFragment): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root.text}\n`;
}
