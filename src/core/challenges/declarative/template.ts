/** A piece of a template: literal text, or a placeholder's CEL source and its offset in the template. */
export type TemplatePiece =
  { readonly text: string } | { readonly source: string; readonly offset: number; readonly placeholderOffset: number };

/** A template that could not be split: what is wrong and where. @internal */
export class TemplateSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Splits a template into literal text and `{{ expression }}` placeholders. A `}}` inside a CEL
 * string literal does not close the placeholder. Throws a {@link TemplateSyntaxError} for a `{{`
 * that is never closed.
 * @internal
 */
export function splitTemplate(template: string): TemplatePiece[] {
  const pieces: TemplatePiece[] = [];
  let cursor = 0;
  while (cursor < template.length) {
    const open = template.indexOf('{{', cursor);
    if (open < 0) break;
    if (open > cursor) pieces.push({ text: template.slice(cursor, open) });
    const close = findClose(template, open + 2);
    if (close < 0) throw new TemplateSyntaxError(open, 'unterminated placeholder "{{"');
    pieces.push({ source: template.slice(open + 2, close), offset: open + 2, placeholderOffset: open });
    cursor = close + 2;
  }
  if (cursor < template.length) pieces.push({ text: template.slice(cursor) });
  return pieces;
}

/** The index of the `}}` that closes a placeholder, skipping quoted CEL strings; -1 when none. */
function findClose(template: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < template.length; i++) {
    const char = template[i];
    if (quote !== undefined) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '}' && template[i + 1] === '}') {
      return i;
    }
  }
  return -1;
}
