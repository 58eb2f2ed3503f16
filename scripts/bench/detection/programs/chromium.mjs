#!/usr/bin/env node
// A real browser for bench:detection: Debian's Chromium, headless, driven over CDP by
// playwright-core. It opens the first page, then follows the site's "next" link page by page,
// waiting a dwell drawn uniformly from [--dwell-min-ms, --dwell-max-ms] on each page (a seeded
// generator, so a run can be repeated). The pages' own sub-resources load as a browser loads them.
// Usage: node chromium.mjs --base URL --pages N --dwell-min-ms A --dwell-max-ms B --seed S
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    base: { type: 'string' },
    pages: { type: 'string' },
    'dwell-min-ms': { type: 'string' },
    'dwell-max-ms': { type: 'string' },
    seed: { type: 'string', default: '1' },
    'user-agent': { type: 'string' },
    executable: { type: 'string', default: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium' },
  },
});
const number = (name) => {
  const value = Number(values[name]);
  if (values[name] === undefined || !Number.isFinite(value) || value < 0)
    throw new Error(`chromium client: --${name} must be a number ≥ 0, got ${values[name]}`);
  return value;
};
if (!values.base) throw new Error('chromium client: --base is required');
const pages = number('pages');
const [dwellMin, dwellMax] = [number('dwell-min-ms'), number('dwell-max-ms')];
// mulberry32: a small seeded generator, so the dwell sequence of a run is reproducible.
let state = number('seed') >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};

// The User-Agent a headed Chromium of this version sends (reduced form, "Chrome/<major>.0.0.0"):
// headless announces "HeadlessChrome", which bots and testers override too. Passed as a switch,
// it keeps the browser's client hints, whose version then agrees with it.
function headedUserAgent() {
  const version = /(\d+)\.\d+\.\d+\.\d+/.exec(
    spawnSync(values.executable, ['--version'], { encoding: 'utf8' }).stdout ?? '',
  );
  if (!version)
    throw new Error(`chromium client: cannot read the version of ${values.executable} (--version)`);
  return (
    `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ` +
    `Chrome/${version[1]}.0.0.0 Safari/537.36`
  );
}
const args = [`--user-agent=${values['user-agent'] ?? headedUserAgent()}`];
const browser = await chromium.launch({ executablePath: values.executable, headless: true, args });
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(values.base + '/', { waitUntil: 'load' });
  for (let i = 1; i < pages; i++) {
    await page.waitForTimeout(dwellMin + (dwellMax - dwellMin) * random());
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#next')]);
  }
} finally {
  await browser.close();
}
