/// <reference types="@fastly/js-compute" />
// The rungs for `npm run bench:edge -- --ladder`: the scorer's module graph and initialisation
// (as src/index.ts), answering by path with more and more of a scorer request but no cookie work,
// so bench:edge can show, against hello.wasm in the same run, what each part of the request costs
// on its own. Built with the same js-compute-runtime and flags.
//   /.rung/empty    an empty 200, like hello: the cost of the larger snapshot alone
//   /.rung/headers  the scorer's 13 response headers (constant values)
//   /.rung/stores   the store reads every scored request makes (caller secret, config items,
//                   key ring secret, KV model pointer, as app.ts does), then those headers
import embeddedModel from '@session-scorer/core/model/default.json' with { type: 'json' };
import { setReusableSandboxOptions } from 'fastly:experimental';
import { readCallerSecret } from '../../src/config/caller-secret.js';
import { prepareDefaults } from '../../src/config/defaults.js';
import { readKeyRing } from '../../src/config/keys.js';
import { readModel } from '../../src/config/model.js';
import { readConfig } from '../../src/config/read-config.js';
import { fastlyPlatform } from '../../src/fastly-platform.js';
import { createApp } from '../../src/app.js';

const defaults = prepareDefaults(embeddedModel);
// Kept reachable so the snapshot holds the same code and data as the scorer's.
const app = createApp;
setReusableSandboxOptions({ maxRequests: 1000, maxMemoryMiB: 64 });

const HEADERS = {
  'x-scorer-score': '0',
  'x-scorer-layer1': '0',
  'x-scorer-layer2': '0',
  'x-scorer-reasons': '',
  'x-scorer-cookie-status': 'ok',
  'x-scorer-session': '0123456789abcdef',
  'x-scorer-page-class': 'listing',
  'x-scorer-model': defaults.model.version,
  'x-scorer-model-source': 'embedded',
  'x-scorer-key-id': '1',
  'x-scorer-set-cookie': `ss_session=${'A'.repeat(140)}; Max-Age=21600; Path=/; HttpOnly; SameSite=Lax; Secure`,
  'x-scorer-mode': 'monitor',
  'x-scorer-version': '0',
};

async function rung(event: FetchEvent): Promise<Response> {
  const url = event.request.url;
  if (url.endsWith('/.rung/empty'))
    return new Response(null, { status: 200, headers: { 'x-hello': '1' } });
  if (url.endsWith('/.rung/headers')) return new Response(null, { status: 200, headers: HEADERS });
  if (url.endsWith('/.rung/stores')) {
    const platform = fastlyPlatform(event);
    const caller = await readCallerSecret(platform);
    const config = readConfig(platform, defaults);
    const [keys, model] = await Promise.all([
      readKeyRing(platform),
      readModel(platform, defaults.model),
    ]);
    if (!caller.ok || !config.ok || !keys.ok || !model.ok)
      return new Response('store read failed', { status: 500 });
    return new Response(null, { status: 200, headers: HEADERS });
  }
  return app(fastlyPlatform(event), defaults).handle(event.request);
}

addEventListener('fetch', (event) => event.respondWith(rung(event)));
