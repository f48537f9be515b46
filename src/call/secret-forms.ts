/** Shortest base64 run of a secret looked for on its own: shorter runs would match unrelated text. */
const MIN_BASE64_CORE = 8;

/**
 * Every text a secret may have become on its way into an error message, computed once (per credential, not
 * per call) and searched with plain string search:
 * - literal;
 * - percent-encoded the ways HTTP layers do it: `encodeURIComponent`, RFC 3986 (the Tea signers' form, which
 *   also escapes `!'()*`), `application/x-www-form-urlencoded` (`+` for a space, `~` escaped), each in upper
 *   and lower hex, and each of those percent-encoded once more (a URL inside a query string);
 * - base64 and base64url of its UTF-8 bytes, padded or not, also percent-encoded, and the runs that stand for
 *   it at each of the three alignments it can have inside a longer base64 text (an `Authorization: Basic`
 *   header): there only the characters that depend on the secret alone are matched, so at most 3 characters on
 *   each side stay, which give away at most 2 bytes of it.
 */
export class SecretForms {
  /** The forms, longest first (so a longer form is replaced before a shorter one inside it). */
  readonly forms: readonly string[];

  /** @param secrets - the secret values (empty strings are ignored) */
  constructor(secrets: readonly string[]) {
    const forms = new Set<string>();
    for (const secret of secrets) {
      if (secret.length === 0) continue;
      for (const form of percentForms(secret)) forms.add(form);
      for (const run of base64Runs(secret)) {
        for (const form of percentForms(run)) forms.add(form);
      }
    }
    this.forms = [...forms].sort((a, b) => b.length - a.length);
  }

  /** `text` with every form of every secret replaced by `replacement`; the same string when none occurs. */
  redact(text: string, replacement: string): string {
    let result = text;
    for (const form of this.forms) {
      if (result.includes(form)) result = result.split(form).join(replacement);
    }
    return result;
  }
}

/** `text` literal and percent-encoded (each scheme, either hex case, once and twice). */
function percentForms(text: string): string[] {
  const once = [encodeURIComponent(text), rfc3986(text), formUrlEncoded(text)];
  const withCase = once.flatMap((form) => [form, lowerHex(form)]);
  const twice = withCase.flatMap((form) => [encodeURIComponent(form), rfc3986(form)]);
  return [text, ...withCase, ...twice];
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function formUrlEncoded(text: string): string {
  return new URLSearchParams({ v: text }).toString().slice(2);
}

function lowerHex(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/**
 * The base64 and base64url texts that stand for `secret`: its complete encoding (padded or not), and the
 * characters that come from its bytes alone at each alignment inside a longer encoded buffer.
 */
function base64Runs(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const runs: string[] = [];
  const whole = bytes.toString('base64');
  if (whole.replace(/=+$/, '').length >= MIN_BASE64_CORE) runs.push(whole, whole.replace(/=+$/, ''));
  for (let offset = 0; offset < 3; offset++) {
    const shifted = Buffer.concat([Buffer.alloc(offset), bytes]);
    const encoded = shifted.toString('base64');
    // A group of 4 characters encodes 3 bytes: drop the group that mixes the alignment bytes in, and the last
    // group unless the secret ends exactly on a group boundary (the bytes after it in a longer text change it).
    const start = offset === 0 ? 0 : 4;
    const end = Math.floor(shifted.length / 3) * 4;
    const core = encoded.slice(start, end);
    if (core.length >= MIN_BASE64_CORE) runs.push(core);
  }
  return runs.flatMap((run) => [run, run.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')]);
}
