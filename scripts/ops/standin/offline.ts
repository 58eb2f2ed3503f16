/**
 * The stand-in as `npm run ops:standin` serves it for trying the runbook offline (docs/operators.md,
 * "Try the runbook offline"): seeded as the runbook expects after its step 1 and the backend of
 * step 2 — a VCL service whose active version 1 has the scorer backend F_scorer, and the scorer's
 * empty Config, Secret and KV Stores — with a fixed dev-only token and service id.
 */
import { startFastlyApiStandin, type FastlyApiStandin } from './fastly-api-standin.js';

/** The port `npm run ops:standin` listens on unless told otherwise (Viceroy's `npm start` uses 7676). */
export const STANDIN_DEFAULT_PORT = 7680;
/** A token for the stand-in only: it guards nothing, and no Fastly account accepts it. */
export const STANDIN_TOKEN = 'dev-only-standin-token';
export const STANDIN_SERVICE_ID = 'SVCstandin0001';

export const startOfflineStandin = (port: number): Promise<FastlyApiStandin> =>
  startFastlyApiStandin({ port, token: STANDIN_TOKEN, serviceId: STANDIN_SERVICE_ID });

/** What to type in another terminal to use it: the line the runbook section shows. */
export const exportLine = (standin: FastlyApiStandin) =>
  `export FASTLY_API_URL=${standin.url} FASTLY_API_TOKEN=${standin.token} FASTLY_SERVICE_ID=${standin.serviceId}`;
