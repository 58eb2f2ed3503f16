#!/usr/bin/env node
// Line-length check, run by `npm run format:check` after `prettier --check`: Prettier wraps code
// at 100 columns but never splits a string or a comment, so long messages, test titles and
// comments slip past it. This fails on every code line (.ts .mts .mjs; tracked files, less what
// .prettierignore excludes) longer than 120 characters, printing `file:line: N characters (limit
// 120)` for each.
//
// The rule: wrap the line (split strings with `+` or a template literal at a word boundary,
// rewrap comments; inside a multi-line template whose text must stay byte for byte, such as
// generated VCL or HTML, end the line with `\`: a line continuation adds nothing to the string).
// The one exception is decided by the line's content, not by a list of files: a line whose only
// long part is one unbreakable token, i.e. a URL, a regular-expression literal or the path of an
// import/export specifier, with at most 40 other characters around it (indentation, `const NAME
// =`, quotes, `;`). Characters are counted as Unicode code points.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const LINE_LIMIT = 120;
/** How much besides the unbreakable token an excepted line may hold. */
export const EXCEPTION_REST = 40;

const CODE_FILE = /\.(ts|mts|mjs)$/;
const URL = /\bhttps?:\/\/[^\s'"`<>)]+/g;
// A regular-expression literal where an expression can start (after `=`, `(`, `,`, `:`, `[`, `!`,
// `&`, `|`, `?`, `{`, `;`, `return`, or at the start of the line).
const REGEX_LITERAL =
  /(?<=(?:^|[=(,:[!&|?{;]|\breturn)\s*)\/(?![*/])(?:\\.|\[(?:\\.|[^\]\\])*\]|[^/\\[])+\/[dgimsuvy]*/g;
const SPECIFIER = /(?<=\b(?:from|import)\s*\(?\s*)(['"])[^'"]*\1/g;

const length = (text) => [...text].length;

/** True when the line's only long part is one URL, regular-expression literal or module path. */
export function isUnbreakable(line) {
  for (const pattern of [URL, REGEX_LITERAL, SPECIFIER]) {
    for (const match of line.matchAll(pattern)) {
      if (length(line) - length(match[0]) <= EXCEPTION_REST) return true;
    }
  }
  return false;
}

/** The lines of `text` over the limit that are not excepted: 1-based line numbers and lengths. */
export function longLines(text, limit = LINE_LIMIT) {
  const found = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const characters = length(line);
    if (characters > limit && !isUnbreakable(line)) found.push({ line: index + 1, characters });
  });
  return found;
}

/** Tracked code files, less those .prettierignore excludes (git applies its gitignore syntax). */
export function checkedFiles(root) {
  const git = (...args) =>
    execFileSync('git', ['ls-files', '-z', ...args], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter((file) => CODE_FILE.test(file));
  const ignored = new Set(git('--cached', '--ignored', '--exclude-from=.prettierignore'));
  return git().filter((file) => !ignored.has(file));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(import.meta.dirname, '../..');
  let failures = 0;
  for (const file of checkedFiles(root)) {
    for (const { line, characters } of longLines(readFileSync(resolve(root, file), 'utf8'))) {
      console.error(`${file}:${line}: ${characters} characters (limit ${LINE_LIMIT})`);
      failures++;
    }
  }
  if (failures > 0) {
    console.error(`${failures} lines over ${LINE_LIMIT} characters: wrap them (see the script)`);
    process.exit(1);
  }
}
