/// <reference types="@fastly/js-compute" />
/**
 * Fastly Compute entry point. Module initialisation runs once, at build time, inside the Wizer
 * snapshot: the embedded model, default classifier and default settings are parsed and validated
 * here, never per request. Nothing random is drawn here (it would be frozen into the snapshot).
 */
import embeddedModel from '@session-scorer/core/model/default.json' with { type: 'json' };
import { setReusableSandboxOptions } from 'fastly:experimental';
import { createApp } from './app.js';
import { prepareDefaults } from './config/defaults.js';
import { fastlyPlatform } from './fastly-platform.js';

const defaults = prepareDefaults(embeddedModel);

// One digest during initialisation, so the snapshot holds WebCrypto's SHA-256 set up: the first
// digest in a sandbox then costs ~0.25 ms instead of ~2.3 ms (measured with bench:edge --floor).
// Its input is a constant; nothing random or secret enters the snapshot.
void crypto.subtle.digest('SHA-256', new Uint8Array(16));

// One sandbox serves many requests, so the per-key AES context and parsed configuration are
// built once per sandbox instead of once per request (src/config/ caches them by their source
// text). Nothing per request is kept in module state.
setReusableSandboxOptions({ maxRequests: 1000, maxMemoryMiB: 64 });

addEventListener('fetch', (event) =>
  event.respondWith(createApp(fastlyPlatform(event), defaults).handle(event.request)),
);
