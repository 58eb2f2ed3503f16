#!/usr/bin/env node
// Node's built-in fetch (undici) for bench:detection: fetches each path in turn, --gap-ms apart,
// with the User-Agent a scraper sets and nothing else; fetch keeps no cookie jar.
// Usage: node node-fetch.mjs --base URL --gap-ms G --user-agent UA PATH…
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    base: { type: 'string' },
    'gap-ms': { type: 'string', default: '0' },
    'user-agent': { type: 'string' },
  },
});
if (!values.base) throw new Error('node-fetch client: --base is required');
const gap = Number(values['gap-ms']);
for (const [i, path] of positionals.entries()) {
  if (i > 0) await new Promise((r) => setTimeout(r, gap));
  const response = await fetch(values.base + path, {
    headers: values['user-agent'] ? { 'user-agent': values['user-agent'] } : {},
  });
  await response.arrayBuffer();
}
