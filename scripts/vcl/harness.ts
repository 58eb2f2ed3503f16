/**
 * A minimal main VCL holding the snippets at their Fastly macro positions: never deployed (Fastly
 * builds the real main VCL around the uploaded snippets). It declares what the snippets expect to
 * exist: the scorer backend (probed on the scorer's health route) and an origin backend, the
 * settings and secrets dictionaries, and Fastly's default subroutine tails. Its users: falco lint
 * before any VCL is written or uploaded (lint.ts), falco test and falco simulate in test/vcl and
 * test/edge, and the detection bench's edge (scripts/bench/detection/stack.ts).
 */
import { HEALTH_PATH } from '../../src/routes.js';
import { type Snippet } from './facts.js';
import { DEFAULT_SCORER_BACKEND } from './options.js';
import {
  CALLER_SECRET_DICTIONARY_KEY,
  DICTIONARIES,
  DICTIONARY_DEFAULTS,
} from '../../src/edge-contract.js';

export interface HarnessOptions {
  /** Host and port of the scorer backend (default 127.0.0.1:7676, Viceroy's). */
  scorer?: [string, number];
  /** Host and port of the origin backend, F_origin (default 127.0.0.1:8080). */
  origin?: [string, number];
  /** Name of the scorer backend: the generator's scorerBackend option (default F_scorer). */
  scorerBackend?: string;
  /** Items of the settings dictionary over the harness's own (mode and threshold at their defaults). */
  settings?: Record<string, string>;
}

/** The dev-only caller secret of the harness's secrets dictionary. */
export const HARNESS_CALLER_SECRET = 'dev-only-caller-secret-not-for-production';

/** Throws Error naming the item when a settings key or value cannot be a VCL string literal. */
export function assembleMainVcl(snippets: Snippet[], options: HarnessOptions = {}): string {
  const scorer = options.scorer ?? ['127.0.0.1', 7676];
  const origin = options.origin ?? ['127.0.0.1', 8080];
  const scorerBackend = options.scorerBackend ?? DEFAULT_SCORER_BACKEND;
  const settings: Record<string, string> = {
    mode: DICTIONARY_DEFAULTS.mode,
    threshold: DICTIONARY_DEFAULTS.threshold,
    ...options.settings,
  };
  for (const [key, value] of Object.entries(settings))
    if (/["\u0000-\u001f\u007f]/.test(key + value))
      throw new Error(
        `harness settings: item ${JSON.stringify(key)} cannot be a VCL string (quote or control character)`,
      );
  const at = (type: Snippet['type']) =>
    snippets
      .filter((s) => s.type === type)
      .sort((a, b) => a.priority - b.priority)
      .map((s) => s.content.replace(/^/gm, '  ').replace(/^\s+$/gm, ''))
      .join('\n');
  // A Fastly subroutine: its macro, the snippets of that type, then the default tail.
  const sub = (type: 'recv' | 'miss' | 'pass' | 'fetch' | 'error' | 'deliver', tail: string) => {
    const body = type === 'error' ? '' : at(type);
    return `sub vcl_${type} {\n#FASTLY ${type}\n${body ? body + '\n' : ''}  ${tail}\n}\n`;
  };
  const backend = (name: string, [host, port]: [string, number], probe: boolean) =>
    `backend ${name} {\n  .host = "${host}";\n  .port = "${port}";\n  .connect_timeout = 1s;\n  ` +
    `.first_byte_timeout = 2s;\n  .between_bytes_timeout = 2s;` +
    (probe
      ? `\n  .probe = {\n    .request = "GET ${HEALTH_PATH} HTTP/1.1" "Host: scorer" ` +
        `"Connection: close";\n    .threshold = 1;\n    .window = 2;\n    .timeout = 1s;\n    ` +
        `.interval = 5s;\n  }`
      : '') +
    `\n}`;
  const items = Object.entries(settings)
    .map(([key, value]) => `  "${key}": "${value}",\n`)
    .join('');
  return `# Test harness for the session-scorer snippets: not deployed (Fastly builds the real main VCL).
${backend(scorerBackend, scorer, true)}

${at('init').replace(/^  /gm, '')}

${backend('F_origin', origin, false)}

table ${DICTIONARIES.settings} {
${items}}

table ${DICTIONARIES.secrets} {
  "${CALLER_SECRET_DICTIONARY_KEY}": "${HARNESS_CALLER_SECRET}",
}

${sub('recv', 'set req.backend = F_origin;\n  return(lookup);')}
${sub('miss', 'return(fetch);')}
${sub('pass', 'return(pass);')}
${sub('fetch', 'return(deliver);')}
${sub('error', 'return(deliver);')}
${sub('deliver', 'return(deliver);')}`;
}
