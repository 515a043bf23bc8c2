/**
 * Removes the keys of a parsed JSON body that could reach a prototype when user code merges it
 * (`__proto__`, and `constructor` holding a `prototype`), in place, as secure-json-parse's
 * 'remove' action does: a genuine delivery may carry such user-chosen keys (labels, metadata), so
 * refusing it would fail the provider's retries forever. Walks without recursion, so a deeply
 * nested body cannot overflow the stack.
 * @internal
 */
export function removePrototypeKeys(value: unknown): void {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    const object = node as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(object, '__proto__')) delete object['__proto__'];
    const ctor = Object.prototype.hasOwnProperty.call(object, 'constructor') ? object['constructor'] : undefined;
    if (ctor !== null && typeof ctor === 'object' && Object.prototype.hasOwnProperty.call(ctor, 'prototype')) {
      delete object['constructor'];
    }
    for (const key in object) pending.push(object[key]);
  }
}

/**
 * Whether the raw body could hold such a key: the walk runs only then. A key may be written with
 * JSON escapes (`"\u005f_proto__"`), so any `\u` escape counts too.
 * @internal
 */
export function mayHavePrototypeKeys(rawBody: Buffer | undefined): boolean {
  return (
    rawBody !== undefined && (rawBody.includes('__proto__') || rawBody.includes('prototype') || rawBody.includes('\\u'))
  );
}
