/**
 * The challenge page: plain HTML with one inline script that solves the proof of work with the
 * browser's WebCrypto SHA-256 and navigates to the verify route. No third-party requests (the
 * Content-Security-Policy allows only this script and style, by hash), readable text for screen
 * readers (a polite live region for progress), and a <noscript> explanation.
 */
import { CHALLENGE_VERIFY_PATH } from './paths.js';

// The solver. It must compute exactly what scorer-core's challenge/work.ts checks:
// SHA-256(UTF-8(token "." counter)) with at least `difficulty` leading zero bits, counter decimal.
const SCRIPT = `(async () => {
  const main = document.getElementById('challenge');
  const status = document.getElementById('status');
  const token = main.dataset.token;
  const difficulty = Number(main.dataset.difficulty);
  const say = (text) => { status.textContent = text; };
  if (!globalThis.crypto || !crypto.subtle) {
    say('Your browser cannot run this check here (Web Crypto is unavailable; it needs a secure \
connection). Please try another browser.');
    return;
  }
  const encoder = new TextEncoder();
  const zeroBits = (hash) => {
    let bits = 0;
    for (const byte of hash) {
      if (byte === 0) { bits += 8; continue; }
      return bits + Math.clz32(byte) - 24;
    }
    return bits;
  };
  const expected = 2 ** difficulty;
  const batch = 256;
  let lastNote = performance.now();
  for (let counter = 0; ; counter += batch) {
    const hashes = await Promise.all(Array.from({ length: batch }, (_, i) => \
crypto.subtle.digest('SHA-256', encoder.encode(token + '.' + (counter + i)))));
    for (let i = 0; i < batch; i++) {
      if (zeroBits(new Uint8Array(hashes[i])) >= difficulty) {
        say('Done. Taking you to the page you asked for.');
        const query = new URLSearchParams({ token, counter: String(counter + i), return: main.dataset.return });
        location.replace(main.dataset.verify + '?' + query.toString());
        return;
      }
    }
    if (performance.now() - lastNote > 1500) {
      lastNote = performance.now();
      say('Still checking: about ' + Math.min(99, Math.floor((100 * (counter + batch)) / expected)) \
+ ' % of the usual work done.');
    }
  }
})().catch((error) => {
  document.getElementById('status').textContent = 'The check could not run: ' + error + '. Please reload the page.';
});`;

const STYLE =
  `body{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem ` +
  `auto;padding:0 1rem;color:#1a1a1a;background:#fff}h1{font-size:1.5rem}#status{font-weight:600}`;

export interface ChallengePageInput {
  token: string;
  difficultyBits: number;
  returnPath: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The document start both pages share: language, viewport, never indexed, the one stylesheet. */
function pageHead(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>`;
}

export function challengePage(input: ChallengePageInput): string {
  return `${pageHead('Checking your browser')}
<body>
<main id="challenge" data-token="${escapeHtml(input.token)}" data-difficulty="${input.difficultyBits}" \
data-return="${escapeHtml(input.returnPath)}" data-verify="${CHALLENGE_VERIFY_PATH}">
<h1>Checking your browser</h1>
<p>This site checks some visits before showing the page, to keep automated traffic out. Your browser \
is doing a short calculation now; when it finishes you are taken to the page you asked for. This \
usually takes a few seconds.</p>
<p id="status" role="status" aria-live="polite">Checking…</p>
<noscript><p>This check needs JavaScript, which is turned off or unavailable in this browser. Please \
turn JavaScript on and reload this page. The check also needs cookies, to remember that it \
passed.</p></noscript>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** A short page for an outcome other than the challenge itself (refused, unavailable). */
export function messagePage(
  title: string,
  text: string,
  link?: { href: string; label: string },
): string {
  return `${pageHead(title)}
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(text)}</p>
${link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>\n` : ''}</main>
</body>
</html>
`;
}

/** A page that sends the browser on to a same-site path at once: meta refresh, and a link. */
export function continuePage(location: string): string {
  const href = escapeHtml(location);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=${href}">
<meta name="robots" content="noindex, nofollow">
<title>Continuing</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Continuing</h1>
<p><a href="${href}">Continue to the page</a></p>
</main>
</body>
</html>
`;
}

let policy: Promise<string> | undefined;
/**
 * The Content-Security-Policy: this page's script and style by SHA-256, nothing else may load or
 * connect. Hashed once per sandbox with the runtime's digest (constant inputs, nothing secret).
 */
export function contentSecurityPolicy(
  sha256: (data: Uint8Array) => Promise<Uint8Array>,
): Promise<string> {
  const hash = async (text: string) =>
    `'sha256-${base64(await sha256(new TextEncoder().encode(text)))}'`;
  policy ??= Promise.all([hash(SCRIPT), hash(STYLE)]).then(
    ([script, style]) =>
      `default-src 'none'; script-src ${script}; style-src ${style}; base-uri 'none'; ` +
      `form-action 'none'; frame-ancestors 'none'`,
    (error: unknown) => {
      policy = undefined; // a failed digest is retried on the next request, not cached
      throw error;
    },
  );
  return policy;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** For tests: the exact script text the policy hashes. */
export const CHALLENGE_SCRIPT = SCRIPT;
export const CHALLENGE_STYLE = STYLE;
