// The README's tutorial is a test: each TypeScript block preceded by `<!-- consumer: <path> -->` is
// written to that path in every consumer app, which is then type-checked and started.
import { readFileSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';

const MARKER = /<!--\s*consumer:\s*([^\s>]+)\s*-->/g;
const BLOCK_AFTER_MARKER = /^\s*\n```(?:ts|typescript)\n([\s\S]*?)\n```/;

/** The marked blocks of a README, by the file path each marker names. */
export function consumerBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of markdown.matchAll(MARKER)) {
    const path = match[1];
    if (isAbsolute(path) || normalize(path).startsWith('..')) {
      throw new Error(`README consumer marker "${path}" must name a path inside the app`);
    }
    // The block must follow its marker directly, so a marker can never silently lose its code.
    const rest = markdown.slice((match.index ?? 0) + match[0].length);
    const block = BLOCK_AFTER_MARKER.exec(rest);
    if (!block) throw new Error(`README consumer marker "${path}" is not followed by a \`\`\`ts block`);
    if (blocks.has(path)) throw new Error(`README names "${path}" in two consumer markers`);
    blocks.set(path, `${block[1]}\n`);
  }
  return blocks;
}

export function readmeConsumerBlocks(readmePath: string): Map<string, string> {
  return consumerBlocks(readFileSync(readmePath, 'utf8'));
}
