import type { ASTNode } from '@marcbachmann/cel-js';

/** CEL's comprehension macros: each runs its expression once per element of its receiver. */
const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
/** Functions whose result can grow as the product of two of their inputs: their arguments are literals. */
const LITERAL_ARGUMENTS = new Set(['join']);
/** The variables every rule expression sees: the request. @internal */
export const REQUEST_VARIABLES = ['http_method', 'headers', 'query_params', 'raw_body', 'parsed_body'] as const;
const isRequestVariable = (name: unknown) => (REQUEST_VARIABLES as readonly unknown[]).includes(name);

/** Where an expression's cost is not linear in the request, and why. @internal */
export interface CostProblem {
  readonly offset: number;
  readonly problem: string;
}

const at = (node: ASTNode | undefined, problem: string): CostProblem => ({ offset: node?.range?.start ?? 0, problem });

/**
 * Finds what would let one request cost more than time linear in its size times the rule's (a
 * rule's CEL runs on every request, before any signature check, over the sender's bytes):
 * - a comprehension inside another's expression: the product of two sizes the sender chooses;
 * - a comprehension whose expression reads the request (`raw_body`, `headers`, …): once per
 *   element, the list's size times the request's. It reads its element, and literals;
 * - `matches()` with a pattern that is not a literal (the sender's bytes as a regular expression),
 *   or whose backtracking can cost more than linear time ({@link backtrackingShape});
 * - `join()` with a separator that is not a literal (`raw_body.split('').join(raw_body)`).
 * Comprehensions one after the other, or over another's result, cost the sum.
 * @internal
 */
export function costProblem(node: ASTNode, insideComprehension = false): CostProblem | undefined {
  if (insideComprehension && node.op === 'id' && isRequestVariable(node.args)) {
    return at(
      node,
      `a comprehension's expression reads ${node.args as string}: its cost is the list's size times the request's`,
    );
  }
  if (node.op === 'rcall' || node.op === 'call') {
    const method = node.op === 'rcall';
    const name = node.args[0] as string;
    const receiver = method ? (node.args[1] as ASTNode) : undefined;
    const args = (method ? node.args[2] : node.args[1]) as ASTNode[];
    if (COMPREHENSIONS.has(name) && method) {
      if (insideComprehension) {
        return at(node, `a comprehension (${name}) inside another: its cost is the product of both sizes`);
      }
      // The receiver is evaluated once; the expression (after the element's name) once per element.
      return costProblem(receiver!, false) ?? first(args.slice(1), true);
    }
    if (name === 'matches') {
      const pattern = args[args.length - 1];
      if (pattern?.op !== 'value' || typeof pattern.args !== 'string') {
        return at(pattern, 'matches() needs a string literal pattern');
      }
      const shape = backtrackingShape(pattern.args);
      if (shape) return at(pattern, `the pattern can cost more than linear time (${shape})`);
    }
    if (LITERAL_ARGUMENTS.has(name)) {
      const computed = args.find((arg) => arg.op !== 'value');
      if (computed) return at(computed, `${name}() needs literal arguments: its result can grow as a product`);
    }
    return (receiver && costProblem(receiver, insideComprehension)) ?? first(args, insideComprehension);
  }
  return first(children(node), insideComprehension);
}

function first(nodes: readonly ASTNode[], insideComprehension: boolean): CostProblem | undefined {
  for (const child of nodes) {
    const problem = costProblem(child, insideComprehension);
    if (problem) return problem;
  }
  return undefined;
}

function children(node: ASTNode): ASTNode[] {
  const found: ASTNode[] = [];
  const stack: unknown[] = [node.args];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) stack.push(...item);
    else if (typeof item === 'object' && item !== null && 'op' in item && 'args' in item) found.push(item as ASTNode);
  }
  return found;
}

/**
 * Why a regular expression may cost more than time linear in its subject on JavaScript's
 * backtracking engine, or undefined. What passes: anchored at the start with `^` (one attempt, not
 * one per position: `a.*b` costs the square of a body of `a`s), no alternative outside a group
 * (`^a|b` is `(^a)|(b)`), at most one quantifier of variable count (`?`, `*`, `+`, `{n,m}`: each is
 * a choice point, and k of them cost up to the k-th power, `^.*a.*b` or `^a{0,64}a{0,64}…`), no
 * repeated group holding a quantifier or an alternation (`(a|a)*`, `(a?){30}`), no backreference.
 * A reading of the syntax (JavaScript's, without flags: `[]` is an empty class) that may refuse a
 * safe pattern and accepts none of these. Measured on 1 MiB of `a`: `^a.*b` 6 ms; `^.*a.*b` on
 * 20 KB, 0.5 s.
 * @internal
 */
export function backtrackingShape(pattern: string): string | undefined {
  if (!pattern.startsWith('^')) return 'not anchored at the start with ^; contains() or startsWith() need no pattern';
  // Per open group: whether it holds a quantifier or an alternation.
  const groups: Array<{ quantified: boolean; alternation: boolean }> = [{ quantified: false, alternation: false }];
  let variable = 0;
  /** The quantifier at `at`: its length and whether its count varies, or undefined. */
  const quantifier = (at: number): { length: number; varies: boolean } | undefined => {
    const c = pattern[at];
    let length: number;
    let varies = true;
    if (c === '*' || c === '+' || c === '?') length = 1;
    else {
      const braces = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
      if (!braces) return undefined;
      length = braces[0].length;
      varies = braces[2] !== undefined && braces[3] !== braces[1];
    }
    if (pattern[at + length] === '?') length++; // lazy: the same cost
    return { length, varies };
  };
  const count = (q: { varies: boolean }) => (q.varies ? ++variable > 1 : false);
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    let atom = true;
    if (c === '\\') {
      if (/[1-9k]/.test(pattern[i + 1] ?? '')) return 'a backreference';
      i += 2;
    } else if (c === '[') {
      // A class is one character. In JavaScript `[]` is empty and `[^]` any character: the first
      // unescaped `]` ends it.
      i++;
      if (pattern[i] === '^') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      groups.push({ quantified: false, alternation: false });
      i++;
      // `(?:`, `(?=`, `(?<name>`: the `?` and the character after it open the group, they repeat nothing.
      if (pattern[i] === '?') i += 2;
      atom = false;
    } else if (c === ')') {
      const group = groups.length > 1 ? groups.pop()! : { quantified: false, alternation: false };
      i++;
      const q = quantifier(i);
      if (q && (group.quantified || group.alternation)) {
        return group.alternation ? 'a repeated group holding an alternation' : 'a repeated group holding a quantifier';
      }
      const parent = groups[groups.length - 1]!;
      parent.quantified ||= group.quantified || q !== undefined;
      parent.alternation ||= group.alternation;
      if (q) {
        if (count(q)) return 'more than one quantifier of variable count';
        i += q.length;
      }
      continue;
    } else {
      if (c === '|') {
        if (groups.length === 1) return 'an alternative outside a group, not anchored';
        groups[groups.length - 1]!.alternation = true;
        atom = false;
      }
      i++;
    }
    const q = atom ? quantifier(i) : undefined;
    if (q) {
      groups[groups.length - 1]!.quantified = true;
      if (count(q)) return 'more than one quantifier of variable count';
      i += q.length;
    }
  }
  return undefined;
}
