import type * as Cel from '@marcbachmann/cel-js';
import type { ASTNode, Environment, ParseResult } from '@marcbachmann/cel-js';
import { WebhookConfigurationError } from '../../errors';
import { requireEsModule } from '../../es-module-dependency';
import { costProblem } from './cel-cost';

/** @internal */
export const TOKEN_VARIABLE = 'challenge_token';

interface Environments {
  /** detect, payloads, verify tokens: the request only. */
  readonly request: Environment;
  /** templates: the request and the computed challenge tokens. */
  readonly template: Environment;
}

let environments: Environments | undefined;

/** Built once: creating a CEL environment is the expensive part. */
function celEnvironments(): Environments {
  if (!environments) {
    // Loaded on first use: an application without declarative rules never needs it.
    const { Environment } = requireEsModule<typeof Cel>(
      '@marcbachmann/cel-js',
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      () => require('@marcbachmann/cel-js'),
      'Declarative challenge rules need the CEL library',
    );
    const request = new Environment()
      .registerVariable('http_method', 'string')
      .registerVariable('headers', 'map')
      .registerVariable('query_params', 'map')
      .registerVariable('raw_body', 'string')
      .registerVariable('parsed_body', 'dyn');
    environments = { request, template: request.clone().registerVariable(TOKEN_VARIABLE, 'map') };
  }
  return environments;
}

/** Where an expression sits, to name it in a configuration error. @internal */
export interface ExpressionSite {
  readonly endpoint: string;
  /** `challenge.detect`, `challenge.body.challenge`, … */
  readonly field: string;
  /** The whole text of the field (a template holds several expressions). */
  readonly text: string;
  /** Offset of the expression in `text`. */
  readonly offset: number;
}

/** A compiled expression and the variables it reads. @internal */
export interface CompiledExpression {
  readonly evaluate: ParseResult;
  readonly variables: ReadonlySet<string>;
}

/** `line L, column C` (1-based) of an offset in a text. @internal */
export function position(text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return `line ${lines.length}, column ${lines[lines.length - 1].length + 1}`;
}

/** A configuration error naming the endpoint, the field and the position. @internal */
export function siteError(
  site: ExpressionSite,
  offsetInExpression: number,
  problem: string,
): WebhookConfigurationError {
  return new WebhookConfigurationError(
    `Webhook endpoint "${site.endpoint}": ${site.field} at ${position(site.text, site.offset + offsetInExpression)}: ${problem}.`,
  );
}

/** Every node of an AST, each with its parent. */
function* walk(node: ASTNode, parent?: ASTNode): Generator<[ASTNode, ASTNode | undefined]> {
  yield [node, parent];
  const stack: unknown[] = [node.args];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) stack.push(...item);
    else if (isNode(item)) yield* walk(item, node);
  }
}

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

function literalKey(parent: ASTNode | undefined, node: ASTNode): string | undefined {
  if (!parent) return undefined;
  if (parent.op === '.' && parent.args[0] === node) return parent.args[1];
  if (parent.op === '[]' && parent.args[0] === node) {
    const key = parent.args[1];
    return key.op === 'value' && typeof key.args === 'string' ? key.args : undefined;
  }
  return undefined;
}

/**
 * Compiles a CEL expression once, at start-up. Refuses (naming endpoint, field and position) a
 * syntax error, an unknown variable, a type error, a `challenge_token` outside templates or not
 * indexed by a literal name, a reference to a token the rule does not define, and a result of the
 * wrong type.
 * @param tokens The rule's token names, for templates; undefined where tokens are not available.
 * @param expect The result type the field needs.
 * @internal
 */
export function compileExpression(
  source: string,
  site: ExpressionSite,
  tokens: ReadonlySet<string> | undefined,
  expect: 'bool' | 'string' | 'any',
): CompiledExpression {
  if (source.trim() === '') throw siteError(site, 0, 'empty expression');
  const env = tokens ? celEnvironments().template : celEnvironments().request;
  let evaluate: ParseResult;
  try {
    evaluate = env.parse(source);
  } catch (error) {
    throw siteError(site, rangeStart(error), `syntax error: ${summary(error)}`);
  }
  const variables = new Set<string>();
  for (const [node, parent] of walk(evaluate.ast)) {
    if (node.op !== 'id') continue;
    variables.add(node.args);
    if (node.args !== TOKEN_VARIABLE) continue;
    if (!tokens) throw siteError(site, node.range.start, `${TOKEN_VARIABLE} is only available in headers and body`);
    const name = literalKey(parent, node);
    if (name === undefined) {
      throw siteError(site, node.range.start, `${TOKEN_VARIABLE} must be indexed with a literal name`);
    }
    if (!tokens.has(name)) {
      const known = [...tokens].join(', ') || 'none';
      throw siteError(site, node.range.start, `unknown challenge token "${name}" (defined: ${known})`);
    }
  }
  const cost = costProblem(evaluate.ast);
  if (cost) throw siteError(site, cost.offset, cost.problem);
  const checked = evaluate.check();
  if (!checked.valid) throw siteError(site, rangeStart(checked.error), summary(checked.error));
  const type = checked.type ?? 'dyn';
  if (expect === 'bool' && type !== 'bool' && type !== 'dyn') {
    throw siteError(site, 0, `the expression must be a bool, not ${type}`);
  }
  if (expect === 'string' && !['string', 'bytes', 'dyn'].includes(type)) {
    throw siteError(site, 0, `the expression must be a string, not ${type}`);
  }
  return { evaluate, variables };
}

function rangeStart(error: unknown): number {
  const range = (error as { range?: { start?: unknown } } | undefined)?.range;
  return typeof range?.start === 'number' ? range.start : 0;
}

/** The one-line reason of a CEL error, without its source excerpt. */
function summary(error: unknown): string {
  const e = error as { summary?: unknown; message?: unknown } | undefined;
  if (typeof e?.summary === 'string' && e.summary !== '') return e.summary;
  return typeof e?.message === 'string' ? e.message.split('\n')[0] : 'invalid expression';
}
