/// <reference types="@fastly/js-compute" />
// The baseline for `npm run bench:edge`: a hello-world Compute app built the same way as the
// scorer (js-compute-runtime, same flags), answering every request with an empty 200.
import { setReusableSandboxOptions } from 'fastly:experimental';

// Same sandbox reuse as the scorer (src/index.ts), so the comparison isolates the scorer's work.
setReusableSandboxOptions({ maxRequests: 1000, maxMemoryMiB: 64 });
addEventListener('fetch', (event) =>
  event.respondWith(new Response(null, { status: 200, headers: { 'x-hello': '1' } })),
);
