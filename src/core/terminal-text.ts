/**
 * Text from elsewhere (a stored event's type, a server's answer) as a terminal may show it: control
 * characters (C0, DEL, C1: escape sequences that retitle, clear or rewrite the screen), tabs, line
 * separators and the bidirectional marks and overrides written as `\uXXXX`; line feeds kept when `lines` is set.
 * @internal
 */
export function printable(text: string, lines = false): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => (lines && c === '\n' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}
