import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';
import layerTable from '../tools/layers.json';

// The layers of design.md §3, checked on the resolved imports of every file in src/, bench/ and
// tools/ (TypeScript's own scanner: static, type-only, `require()` and `import()` alike). The
// table lives in tools/layers.json; eslint.config.mjs reads it too, so an editor flags an upward
// import as it is typed, and this spec adds what a lint pattern cannot see: file cycles.

const root = resolve(__dirname, '..');
const layers: Record<string, string[]> = layerTable.layers;
const specsMayImport: string[] = layerTable.specsMayImport;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) return name === 'results' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The layer a repository path belongs to: the longest key of the table it is, or lies under. */
function layerOf(path: string): string | undefined {
  const keys = Object.keys(layers).filter((key) => path === key || path.startsWith(`${key}/`));
  if (keys.length) return keys.sort((a, b) => b.length - a.length)[0];
  return path.startsWith('test/') ? 'test' : undefined;
}

/** The file a relative specifier names, as a repository path (or the bare path when no file). */
function resolveImport(from: string, specifier: string): string {
  const base = resolve(root, dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}/index.ts`].filter((p) => existsSync(p) && statSync(p).isFile());
  return relative(root, candidates[0] ?? base)
    .split(sep)
    .join('/');
}

function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  return info.importedFiles.map((i) => i.fileName).filter((s) => s.startsWith('.'));
}

const checker = 'src/layers.spec.ts';
const files = ['src', 'bench', 'tools'].flatMap(sourceFiles).filter((file) => file !== checker);
const graph = new Map(files.map((file) => [file, importsOf(file).map((s) => resolveImport(file, s))]));

/** Every import that goes against the table, as "importer -> imported (layer -> layer)". */
export function layerViolations(edges: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [from, targets] of edges) {
    const fromLayer = layerOf(from);
    if (!fromLayer) {
      found.push(`${from}: in no layer of tools/layers.json`);
      continue;
    }
    const isSpec = /\.(spec|property\.spec)\.ts$/.test(from);
    for (const to of targets) {
      const toLayer = layerOf(to);
      if (toLayer === fromLayer) continue;
      const allowed = layers[fromLayer].includes(toLayer ?? '') || (isSpec && specsMayImport.includes(toLayer ?? ''));
      if (!allowed) found.push(`${from} -> ${to} (${fromLayer} may not import ${toLayer ?? 'outside the layers'})`);
    }
  }
  return found;
}

/** The file cycles (strongly connected components of more than one file, or a file importing itself). */
export function fileCycles(edges: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (edges.get(node) ?? []).includes(node)) cycles.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

describe('layers (tools/layers.json, design.md §3)', () => {
  it('finds the imports of the sources it checks', () => {
    // Guards the walk itself: a checker that reads no import passes everything.
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get('src/nest/webhook.guard.ts')).toContain('src/nest/webhook-verifier.service.ts');
    expect(layerOf('src/core/schemes/github.scheme.ts')).toBe('src/core');
    expect(layerOf('test/support/postgres.ts')).toBe('test');
  });

  it('reports an upward import, an import of test/ and a cycle when there is one', () => {
    const planted = new Map([
      ['src/core/x.ts', ['src/nest/y.ts']],
      ['src/nest/y.ts', ['src/core/x.ts']],
      ['bench/z.ts', ['test/support/postgres.ts']],
      ['src/storage/a.spec.ts', ['test/support/postgres.ts', 'tools/embedded-postgres.ts']],
    ]);
    expect(layerViolations(planted)).toEqual([
      'src/core/x.ts -> src/nest/y.ts (src/core may not import src/nest)',
      'bench/z.ts -> test/support/postgres.ts (bench may not import test)',
    ]);
    expect(fileCycles(planted)).toEqual([['src/core/x.ts', 'src/nest/y.ts']]);
  });

  it('every import goes down the layers; nothing in src/ or bench/ but a spec imports test/', () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('no file cycles', () => {
    expect(fileCycles(graph)).toEqual([]);
  });
});
