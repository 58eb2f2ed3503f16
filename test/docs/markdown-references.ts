/**
 * The file references a Markdown document makes, and which of them do not resolve: relative
 * links (`[text](path#anchor)`, the anchor checked against the target's headings) and repository
 * paths written as code (`scripts/…`, `src/…`, … in inline code or a fenced block), so a doc
 * cannot keep naming a file that moved. Pure over a `Tree` so the rules can be tested on
 * hand-written documents; `diskTree` reads the real checkout.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** The top-level folders whose paths, written as code in a doc, must exist. */
export const REPOSITORY_PREFIXES = [
  'scripts/',
  'src/',
  'test/',
  'docs/',
  'scorer-core/',
  'config/',
  'vcl-snippets/',
  '.ci/',
] as const;

/** What the checker needs of a checkout: paths are repository-relative, with `/`. */
export interface Tree {
  exists(path: string): boolean;
  /** Names in a directory; empty when it does not exist. */
  list(directory: string): string[];
  read(path: string): string;
}

export interface BrokenReference {
  /** `file:line` of the reference. */
  at: string;
  reference: string;
  problem: string;
}

export function diskTree(root: string): Tree {
  return {
    exists: (path) => existsSync(join(root, path)),
    list: (directory) => {
      const full = join(root, directory);
      return existsSync(full) && statSync(full).isDirectory() ? readdirSync(full) : [];
    },
    read: (path) => readFileSync(join(root, path), 'utf8'),
  };
}

/**
 * GitHub's heading anchor: the heading's text (inline markup removed) lower-cased, characters
 * other than letters, digits, spaces, `-` and `_` dropped, spaces turned into `-`; a repeated
 * anchor gets `-1`, `-2`, ….
 */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text, inFence } of lines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (inFence || !heading) continue;
    const plain = heading[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[`*]/g, '')
      .toLowerCase();
    const base = plain.replace(/[^\p{L}\p{N}\p{M} _-]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Every broken reference in `docPath` (repository-relative), in document order. */
export function brokenReferences(tree: Tree, docPath: string): BrokenReference[] {
  const broken: BrokenReference[] = [];
  const docLines = lines(tree.read(docPath));
  const at = (index: number) => `${docPath}:${index + 1}`;
  // Prose with fenced lines blanked, so a code span may wrap onto the next line but never
  // reaches into a fence.
  const prose = docLines.map(({ text, inFence }) => (inFence ? '' : text)).join('\n');
  const lineOf = (offset: number) => prose.slice(0, offset).split('\n').length - 1;
  const spans = [...prose.matchAll(CODE_SPAN)];
  const found: { line: number; check: () => void }[] = [];
  for (const span of spans) {
    const line = lineOf(span.index);
    for (const token of span[2]!.split(/\s+/))
      found.push({ line, check: () => checkPath(tree, token, at(line), broken) });
  }
  docLines.forEach(({ text, inFence }, index) => {
    if (inFence) {
      for (const token of text.split(/\s+/))
        found.push({ line: index, check: () => checkPath(tree, token, at(index), broken) });
    }
  });
  const proseWithoutCode = prose.replace(CODE_SPAN, (span) => span.replace(/[^\n]/g, ' '));
  proseWithoutCode.split('\n').forEach((text, index) => {
    for (const target of linkTargets(text))
      found.push({ line: index, check: () => checkLink(tree, docPath, target, at(index), broken) });
  });
  found.sort((a, b) => a.line - b.line);
  for (const { check } of found) check();
  return broken;
}

/** An inline code span (CommonMark: matching backtick runs, not across a blank line). */
const CODE_SPAN = /(`+)((?:(?!\n\s*\n)[^])+?)\1/g;

function lines(markdown: string): { text: string; inFence: boolean }[] {
  let inFence = false;
  return markdown.split('\n').map((text) => {
    if (/^\s*(```|~~~)/.test(text)) {
      inFence = !inFence;
      return { text, inFence: true }; // the fence lines themselves are not prose
    }
    return { text, inFence };
  });
}

/** Link targets (code spans already blanked); absolute URLs and `mailto:` are not ours to check. */
function linkTargets(line: string): string[] {
  return [...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

function checkLink(
  tree: Tree,
  docPath: string,
  target: string,
  at: string,
  broken: BrokenReference[],
): void {
  const hash = target.indexOf('#');
  const pathPart = hash >= 0 ? target.slice(0, hash) : target;
  const anchor = hash >= 0 ? decodeURIComponent(target.slice(hash + 1)) : undefined;
  const file =
    pathPart === ''
      ? docPath
      : normalize(join(dirname(docPath), decodeURIComponent(pathPart))).replace(/\\/g, '/');
  if (file.startsWith('..') || !tree.exists(file)) {
    broken.push({ at, reference: target, problem: `no such file: ${file}` });
    return;
  }
  if (anchor !== undefined && file.endsWith('.md') && !headingAnchors(tree.read(file)).has(anchor))
    broken.push({ at, reference: target, problem: `no heading with anchor #${anchor} in ${file}` });
}

/**
 * A token naming a repository path: it starts with one of REPOSITORY_PREFIXES. Surrounding
 * punctuation and a `:line` suffix are ignored; `*` in the last segment must match at least one
 * file; `…` marks an elided path, checked up to the last whole folder before it.
 */
function checkPath(tree: Tree, token: string, at: string, broken: BrokenReference[]): void {
  let path = token.replace(/^[("'[]+/, '').replace(/[)"',;.\]]+$/, '');
  path = path.replace(/:\d+(-\d+)?$/, '');
  if (!REPOSITORY_PREFIXES.some((prefix) => path.startsWith(prefix))) return;
  const elided = path.indexOf('…');
  if (elided >= 0) path = path.slice(0, path.lastIndexOf('/', elided) + 1);
  const bare = path.replace(/\/$/, '');
  const lastSlash = bare.lastIndexOf('/');
  const name = bare.slice(lastSlash + 1);
  if (name.includes('*')) {
    const directory = bare.slice(0, lastSlash);
    const pattern = new RegExp(
      `^${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`,
    );
    if (!tree.list(directory).some((entry) => pattern.test(entry)))
      broken.push({ at, reference: token, problem: `nothing matches ${bare}` });
    return;
  }
  if (!tree.exists(bare)) broken.push({ at, reference: token, problem: `no such path: ${bare}` });
}
