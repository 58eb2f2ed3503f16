/**
 * The fetch snippet (priority 10): the scorer's answers (the preflight's and the challenge
 * page) go to vcl_deliver untouched by operator fetch logic and never cached; origin responses
 * lose every internal header. The challenge routes' block follows (scripts/vcl/challenge-route.ts).
 */
import { GENERATED_BY } from '../facts.js';
import type { ValidatedVclOptions } from '../options.js';
import { challengeRoute, isChallenge, isPreflight, unsetInternalHeaders } from './fragments.js';

export function fetchSnippet(options: ValidatedVclOptions): string {
  const backend = options.scorerBackend;
  return `${GENERATED_BY}
# session-scorer: the scorer's answer goes straight to vcl_deliver (which reads it and restarts),
# so operator logic in vcl_fetch never sees it and it is never cached.
if (req.restarts == 0 && ${isPreflight(backend)}) {
  return(deliver);
}
# The challenge page (the challenge band) goes to the client as the scorer answered it.
if (${isChallenge(backend)}) {
  return(deliver);
}
# Nothing internal from the origin.
${unsetInternalHeaders('beresp', '')}
${challengeRoute(backend).fetch}`;
}
