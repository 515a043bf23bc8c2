// The prose of the benchmark's output lives in markdown files under bench/prose, where it reads (and is reviewed) as
// text; the script only fills in this run's figures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PART = /^<!-- part: ([a-z0-9-]+) -->$/gm;
const PLACEHOLDER = /\{\{(\w+)\}\}/g;

export type Prose = (part: string, values?: Readonly<Record<string, string | number>>) => string;

/**
 * The parts of bench/prose/`file`: each runs from its `<!-- part: name -->` line to the next (text before the first
 * is a comment for the reader). A part is returned with its `{{name}}` placeholders filled in; an unknown part or a
 * placeholder without a value throws, so prose and script cannot drift apart silently.
 */
export function proseOf(file: string): Prose {
  const text = readFileSync(join(__dirname, 'prose', file), 'utf8');
  const parts = new Map<string, string>();
  const marks = [...text.matchAll(PART)];
  marks.forEach((mark, i) => {
    const end = i + 1 < marks.length ? marks[i + 1].index : text.length;
    parts.set(mark[1], text.slice(mark.index + mark[0].length, end).trim());
  });
  return (part, values = {}) => {
    const template = parts.get(part);
    if (template === undefined) throw new Error(`bench/prose/${file} has no part "${part}"`);
    return template.replace(PLACEHOLDER, (_, name: string) => {
      if (!Object.hasOwn(values, name))
        throw new Error(`bench/prose/${file}, part "${part}": no value for {{${name}}}`);
      return String(values[name]);
    });
  };
}

/** One paragraph as one line (for a list item or a table cell). */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
