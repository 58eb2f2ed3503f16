/**
 * Generates the seven VCL snippets of the session-scorer preflight (docs/vcl.md): validates the
 * options (options.ts), then fills each slot of facts.ts's SNIPPET_SLOTS from its template in
 * snippets/. Pure: no I/O (the committed crawler snapshot is a JSON import).
 */
import { SNIPPET_SLOTS, type Snippet, type SnippetName } from './facts.js';
import { validateOptions, type ValidatedVclOptions, type VclOptions } from './options.js';
import { crawlersSnippet } from './snippets/crawlers.js';
import { deliverSnippet } from './snippets/deliver.js';
import { enforceSnippet } from './snippets/enforce.js';
import { fetchSnippet } from './snippets/fetch.js';
import { missSnippet } from './snippets/miss.js';
import { passSnippet } from './snippets/pass.js';
import { recvSnippet } from './snippets/recv.js';

const TEMPLATES: Record<SnippetName, (options: ValidatedVclOptions) => string> = {
  'session-scorer-crawlers': crawlersSnippet,
  'session-scorer-recv': recvSnippet,
  'session-scorer-enforce': enforceSnippet,
  'session-scorer-pass': passSnippet,
  'session-scorer-miss': missSnippet,
  'session-scorer-fetch': fetchSnippet,
  'session-scorer-deliver': deliverSnippet,
};

/** Throws VclValidationError (options.ts) when an option or the crawler ACLs' size is refused. */
export function generateSnippets(options: VclOptions = {}): Snippet[] {
  const validated = validateOptions(options);
  return SNIPPET_SLOTS.map((slot) => ({ ...slot, content: TEMPLATES[slot.name](validated) }));
}
