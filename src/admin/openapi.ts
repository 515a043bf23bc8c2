// OpenAPI decorators of the admin API. @nestjs/swagger is an optional peer: when it is installed the
// real decorators describe the routes and DTOs; when it is not, these are no-ops and the admin API
// works the same. Typed here (not with `typeof import('@nestjs/swagger')`) so that nothing in the
// emitted typings refers to a package the app may not have.

/** @internal */
export type OpenApiOptions = Record<string, unknown>;
type Decorator = ClassDecorator & MethodDecorator & PropertyDecorator;
type DecoratorFactory<A extends unknown[]> = (...args: A) => Decorator;

/** @internal */
export interface OpenApiDecorators {
  ApiProperty: DecoratorFactory<[OpenApiOptions?]>;
  ApiPropertyOptional: DecoratorFactory<[OpenApiOptions?]>;
  ApiTags: DecoratorFactory<string[]>;
  ApiBearerAuth: DecoratorFactory<[string?]>;
  ApiOperation: DecoratorFactory<[OpenApiOptions]>;
  ApiResponse: DecoratorFactory<[OpenApiOptions]>;
  ApiQuery: DecoratorFactory<[OpenApiOptions]>;
  ApiParam: DecoratorFactory<[OpenApiOptions]>;
}

const NAMES: ReadonlyArray<keyof OpenApiDecorators> = [
  'ApiProperty',
  'ApiPropertyOptional',
  'ApiTags',
  'ApiBearerAuth',
  'ApiOperation',
  'ApiResponse',
  'ApiQuery',
  'ApiParam',
];

const noop: DecoratorFactory<unknown[]> = () => () => undefined;

/**
 * The decorators of `swagger` (the loaded module), or no-ops for those it lacks or when it is
 * `undefined` (not installed).
 * @internal
 */
export function openApiDecorators(swagger: Partial<Record<string, unknown>> | undefined): OpenApiDecorators {
  const decorators = {} as Record<keyof OpenApiDecorators, unknown>;
  for (const name of NAMES) {
    decorators[name] = typeof swagger?.[name] === 'function' ? swagger[name] : noop;
  }
  return decorators as unknown as OpenApiDecorators;
}

/**
 * Loads @nestjs/swagger when the app has it. Only its own absence is tolerated: any other failure
 * (a broken install, a missing dependency of it) surfaces as is.
 * @internal
 */
export function loadSwagger(
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  load: () => unknown = () => require('@nestjs/swagger'),
): Partial<Record<string, unknown>> | undefined {
  try {
    return load() as Partial<Record<string, unknown>>;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code === 'MODULE_NOT_FOUND' && /Cannot find module '@nestjs\/swagger'/.test(message ?? '')) return undefined;
    throw error;
  }
}

export const {
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiBearerAuth,
  ApiOperation,
  ApiResponse,
  ApiQuery,
  ApiParam,
} = openApiDecorators(loadSwagger());
