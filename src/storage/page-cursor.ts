import { InvalidCursorError } from './event-log.interface';

/**
 * An opaque page cursor of the event logs' readers: `tag.position` in base64url. It reads back only
 * what encode() wrote (any other spelling of the same bytes is refused), so a cursor carries no
 * attacker text into a query; anything else is {@link InvalidCursorError} (a 400, never a 500).
 * @internal
 */
export class PageCursor {
  private readonly pattern: RegExp;

  /** `digits`: the pattern of a position (a regex source); `accept`: a further check of one. */
  constructor(
    private readonly tag: string,
    digits: string,
    private readonly accept: (position: string) => boolean = () => true,
  ) {
    this.pattern = new RegExp(`^${tag}\\.(${digits})$`);
  }

  encode(position: string | number): string {
    return Buffer.from(`${this.tag}.${position}`).toString('base64url');
  }

  decode(cursor: string): string {
    // A string only: `test()` would coerce an array or object to text and let it through.
    const text =
      typeof cursor === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(cursor)
        ? Buffer.from(cursor, 'base64url').toString('latin1')
        : '';
    const match = this.pattern.exec(text);
    if (!match || this.encode(match[1]) !== cursor || !this.accept(match[1])) {
      throw new InvalidCursorError('The cursor is not valid.');
    }
    return match[1];
  }
}

/** The page size a reader serves for a requested limit: 1 to 500. @internal */
export function pageLimit(limit: number): number {
  return Math.min(500, Math.max(1, Math.floor(limit) || 1));
}
