import { HttpException, ValidationPipe, type ArgumentMetadata, type Type, type ValidationError } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

/**
 * The admin DTOs' own validation: 400 `validation_failed` with each field's messages (never the
 * value). An app's global pipes run before it; their refusals get a code from AdminExceptionFilter.
 */
const validationFailed = (fields: Array<{ field: string; messages: string[] }>) =>
  new HttpException(
    {
      statusCode: 400,
      code: 'validation_failed',
      message: fields.flatMap((f) => f.messages).join('; ') || 'The request is not valid.',
      errors: fields,
    },
    400,
  );

/** Keys class-transformer skips silently, so `forbidNonWhitelisted` never sees them: refused here. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Unknown properties are counted, never named: a name is the client's bytes, and an answer that
 * repeats them can be made to say anything. The entry names where they were (`body`, `query`) and
 * the properties that are accepted there, which are ours.
 */
function unknownProperties(where: string, count: number, accepted?: ReadonlySet<string>) {
  const allowed = accepted && accepted.size > 0 ? `; accepted: ${[...accepted].sort().join(', ')}` : '';
  return {
    field: where,
    messages: [`${count} unknown ${count === 1 ? 'property' : 'properties'} in the ${where}${allowed}`],
  };
}

/**
 * How deep a field's value may nest. The DTOs are flat (a field is a scalar; a wrong type nests a
 * level or two and is refused by its validator), and class-transformer copies nested values
 * recursively: a 10 KB body nested 5,000 levels overflowed the stack (a 500).
 */
const MAX_VALUE_DEPTH = 4;

/** Whether `value` nests deeper than `depth` more levels; never recurses past the bound. */
function nestsDeeperThan(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth === 0) return true;
  for (const item of Object.values(value)) if (nestsDeeperThan(item, depth - 1)) return true;
  return false;
}

/** Whether a value nested within the depth bound has an own `__proto__`, `constructor` or `prototype` key. */
function holdsPrototypeKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (PROTOTYPE_KEYS.some((key) => Object.prototype.hasOwnProperty.call(value, key))) return true;
  return Object.values(value).some(holdsPrototypeKey);
}

/** Whether a string within the depth bound holds a NUL: no PostgreSQL text or jsonb value can (a 500). */
function holdsNul(value: unknown, depth = MAX_VALUE_DEPTH + 1): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth === 0) return false;
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || holdsNul(item, depth - 1));
}

/** The properties a DTO declares (those class-validator knows), cached per class. */
const declared = new WeakMap<object, ReadonlySet<string>>();
function declaredKeys(metatype: Type): ReadonlySet<string> {
  let keys = declared.get(metatype);
  if (!keys) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
    keys = new Set(metadata.map((m) => m.propertyName));
    declared.set(metatype, keys);
  }
  return keys;
}

class AdminValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A JSON body must be an object (or absent): `null`, arrays and scalars would validate as empty.
    if (
      metadata.type === 'body' &&
      value !== undefined &&
      (value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      throw validationFailed([{ field: 'body', messages: ['the body must be a JSON object'] }]);
    }
    // Refused alike by every store (in memory too), before anything is written: a NUL in a name,
    // secret, option or filter made PostgreSQL refuse the statement after the endpoint row was in.
    if (typeof value === 'string' && holdsNul(value)) {
      throw validationFailed([{ field: metadata.data ?? metadata.type, messages: ['a NUL character is not allowed'] }]);
    }
    if (value !== null && typeof value === 'object') {
      const forbidden = PROTOTYPE_KEYS.filter((key) => Object.prototype.hasOwnProperty.call(value, key));
      if (forbidden.length > 0) throw validationFailed([unknownProperties(metadata.type, forbidden.length)]);
      // Before class-transformer sees it: unknown keys (whatever they hold) and deep values are
      // refused here, so nothing reaches its recursion nested deeper than MAX_VALUE_DEPTH.
      const dto = (metadata.type === 'body' || metadata.type === 'query') && metadata.metatype;
      if (dto && typeof dto === 'function' && dto !== Object) {
        const known = declaredKeys(dto as Type);
        const unknown = Object.keys(value).filter((key) => !known.has(key)).length;
        if (unknown > 0) throw validationFailed([unknownProperties(metadata.type, unknown, known)]);
        const fields: Array<{ field: string; messages: string[] }> = [];
        // Only declared names from here on: `key` is one of ours.
        for (const [key, item] of Object.entries(value)) {
          if (nestsDeeperThan(item, MAX_VALUE_DEPTH)) {
            fields.push({ field: key, messages: [`${key} is nested too deeply (it must be a single value)`] });
          } else if (holdsNul(item)) {
            fields.push({ field: key, messages: [`${key} holds a NUL character, which is not allowed`] });
          } else if (holdsPrototypeKey(item)) {
            // Objects given as data (an endpoint's options and rules): class-transformer would drop them silently.
            fields.push({ field: key, messages: [`${key} holds a property named like a prototype key`] });
          }
        }
        if (fields.length > 0) throw validationFailed(fields);
      }
    }
    return super.transform(value, metadata);
  }
}

const validation = new AdminValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  // The checks above refuse unknown properties first; should class-validator still report one
  // (whitelistValidation), it is counted like them, never named.
  exceptionFactory: (errors: ValidationError[]) => {
    const unknown = errors.filter((e) => e.constraints?.whitelistValidation !== undefined).length;
    const known = errors.filter((e) => e.constraints?.whitelistValidation === undefined);
    return validationFailed([
      ...(unknown > 0 ? [unknownProperties('request', unknown)] : []),
      ...known.map((e) => ({ field: e.property, messages: Object.values(e.constraints ?? {}) })),
    ]);
  },
});

export { AdminValidationPipe, validation as adminValidation };
