/** The miss snippet (priority 10): cache misses fetched from the origin carry no internal header. */
import { GENERATED_BY } from '../facts.js';
import type { ValidatedVclOptions } from '../options.js';
import { isPreflight, stripBereq } from './fragments.js';

export function missSnippet(options: ValidatedVclOptions): string {
  return `${GENERATED_BY}
# session-scorer: cache misses fetched from the origin carry no internal header.
if (!(${isPreflight(options.scorerBackend)})) {
${stripBereq}
}
`;
}
