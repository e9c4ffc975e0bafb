// Peer-supplied text made safe for error messages, logs and terminals: C0/C1 control characters
// (ECMA-48 §5) and bidirectional formatting characters (Unicode UAX #9 §2) become visible escapes.

/**
 * Code points that must never reach a terminal or log line raw: C0 controls (ESC starts terminal
 * escape sequences, CR/LF forge log lines), DEL, C1 controls (0x9B is a one-byte CSI), the
 * bidirectional marks, embeddings, overrides and isolates (they reorder what a reader sees), the
 * line and paragraph separators, and lone surrogates.
 */
export function isUnsafeCodePoint(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x061c ||
    cp === 0x200e ||
    cp === 0x200f ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    (cp >= 0xd800 && cp <= 0xdfff)
  );
}

/**
 * `text` with every unsafe code point (see isUnsafeCodePoint) written as `\xNN` (up to U+00FF) or
 * `\u{NNNN}`; everything else, backslashes included, is kept as it is. Use it wherever a string
 * from the peer (ALPN names, server names, certificate names) goes into a message or an output line.
 */
export function printable(text: string): string {
  let out = '';
  for (const ch of String(text)) {
    const cp = ch.codePointAt(0)!;
    if (!isUnsafeCodePoint(cp)) out += ch;
    else if (cp <= 0xff) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += `\\u{${cp.toString(16)}}`;
  }
  return out;
}
