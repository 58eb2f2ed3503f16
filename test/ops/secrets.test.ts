/**
 * Secrets never reach the terminal or the audit file: the API token, the caller secret and the
 * cookie key are planted as recognisable values, and every path (success, an API error that
 * echoes the submitted secret and the token back, a connection dropped mid-request, no answer
 * at all) is checked for them in stdout, stderr and the audit file. The Fastly API is the
 * loopback STAND-IN (scripts/ops/standin/fastly-api-standin.ts); the unit tests at the end give the client
 * a FAKE fetch, to make Fastly and the network say things the stand-in cannot (plain-text and
 * HTML answers, an escaped echo, a network error quoting the request).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFastlyApi, FastlyApiError } from '../../scripts/ops/fastly-api.js';
import { freePort } from '../../scripts/lib/viceroy.mjs';
import { describeRequest } from '../../scripts/ops/plan.js';
import { opsRunner } from './run-ops.js';
import {
  startFastlyApiStandin,
  type FastlyApiStandin,
} from '../../scripts/ops/standin/fastly-api-standin.js';

const TOKEN = 'PLANTED-TOKEN-5ec7e7-do-not-print';
/** What ctx.randomBytes answers: the cookie key and the caller secret are made from it. */
const BYTES = Uint8Array.from({ length: 32 }, (_, i) => 0xc0 + i);
const KEY_HEX = Buffer.from(BYTES).toString('hex'); // c0c1c2…df: the cookie key as stored
const CALLER = Buffer.from(BYTES).toString('base64url'); // the caller secret as the VCL sends it
/** Every form a planted secret travels in (the Secret Store API takes base64 of the value). */
const PLANTED = {
  token: TOKEN,
  'cookie key': KEY_HEX,
  'cookie key (base64)': Buffer.from(KEY_HEX).toString('base64'),
  'caller secret': CALLER,
  'caller secret (base64)': Buffer.from(CALLER).toString('base64'),
};

let api: FastlyApiStandin;
let dir: string;
beforeEach(async () => {
  api = await startFastlyApiStandin({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'scorer-ops-secrets-'));
  // The private dictionary `vcl upload` creates (without falco: the state is set directly).
  api.state.versions[0]!.dictionaries.set('scorer_secrets', {
    id: 'dictsecrets',
    name: 'scorer_secrets',
    write_only: true,
  });
  api.state.dictionaryItems.set('dictsecrets', new Map());
});
afterEach(() => api.close());

const auditFile = () => join(dir, 'audit.jsonl');
const auditText = () => (existsSync(auditFile()) ? readFileSync(auditFile(), 'utf8') : '');

const ops = opsRunner(
  () => api,
  () => dir,
  { randomBytes: (n) => BYTES.slice(0, n) },
);

/** No planted value, nor its first half (a cut-off echo), in any of the texts. */
function expectNoSecret(texts: Record<string, string>) {
  for (const [where, text] of Object.entries(texts))
    for (const [what, value] of Object.entries(PLANTED)) {
      expect(text, `${what} in ${where}`).not.toContain(value);
      expect(text, `half of ${what} in ${where}`).not.toContain(value.slice(0, value.length / 2));
    }
}

/** The planted value did travel: a test that finds nothing in the output found it elsewhere. */
const sent = (value: string) => api.requests.some((r) => r.body.includes(value));

describe('ops secrets: planted token, cookie key and caller secret never printed (Fastly API stand-in)', () => {
  it('success: keys generate and caller-secret set show <redacted> fields and record no value', async () => {
    const keys = await ops('keys', 'generate');
    const caller = await ops('caller-secret', 'set', '--propagation-wait-seconds', '0');
    expect([keys.code, caller.code]).toEqual([0, 0]);
    expect(keys.out).toContain('secret=<redacted>');
    expect(caller.out).toContain('item_value=<redacted>');
    expect(api.secretText('scorer_secrets', 'cookie_key_1')).toBe(KEY_HEX);
    expect(api.secretText('scorer_secrets', 'caller_secret')).toBe(CALLER);
    expect(api.requests.every((r) => r.headers['fastly-key'] === TOKEN)).toBe(true);
    expect(auditText().trim().split('\n')).toHaveLength(2);
    expectNoSecret({
      'keys stdout': keys.out,
      'keys stderr': keys.err,
      'caller stdout': caller.out,
      'caller stderr': caller.err,
      audit: auditText(),
    });
  });

  it(
    'API failure: an error echoing the submitted secret and the token names the secret field ' +
      'and withholds the message',
    async () => {
      // As a validation message might: the submitted JSON field and the key header, both echoed.
      api.faults.push({
        method: 'POST',
        path: /\/resources\/stores\/secret\/[^/]+\/secrets$/,
        status: 400,
        body: (requestBody: string) => ({
          msg: `secret ${JSON.parse(requestBody).secret} rejected`,
          detail: `for Fastly-Key ${TOKEN}`,
          errors: [{ field: 'secret', value: JSON.parse(requestBody).secret }],
        }),
      });
      const run = await ops('keys', 'generate');
      expect(run.code).toBe(1);
      expect(sent(PLANTED['cookie key (base64)'])).toBe(true);
      expect(run.err).toContain(
        `POST /resources/stores/secret/sec001/secrets → HTTP 400: Fastly's message is not shown: ` +
          `the request carried secret field(s) secret`,
      );
      const [audit] = auditText()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(audit).toMatchObject({ command: 'keys generate', result: 'failed' });
      expect(audit.error).toContain(
        `HTTP 400: Fastly's message is not shown: the request carried secret field(s) secret`,
      );
      expectNoSecret({ stdout: run.out, stderr: run.err, audit: auditText() });
    },
  );

  it(
    'API failure: a form field echoed in a rotation is named, its message withheld, with the ' +
      'steps applied before it',
    async () => {
      api.state.secretStores.get('sec001')!.secrets.set('caller_secret', 'b2xk'); // an old secret
      api.faults.push({
        method: 'PUT',
        path: /\/dictionary\/dictsecrets\/item\/caller_secret$/,
        status: 400,
        body: (requestBody: string) => ({
          msg: `item_value ${new URLSearchParams(requestBody).get('item_value')} is not allowed`,
        }),
      });
      const run = await ops('caller-secret', 'set', '--propagation-wait-seconds', '0');
      expect(run.code).toBe(1);
      expect(sent(CALLER)).toBe(true);
      expect(run.err).toContain(
        `PUT /service/${api.serviceId}/dictionary/dictsecrets/item/caller_secret → HTTP 400: ` +
          `Fastly's message is not shown: the request carried secret field(s) item_value`,
      );
      expect(run.err).toContain('the scorer and the VCL may now hold different secrets');
      expectNoSecret({ stdout: run.out, stderr: run.err, audit: auditText() });
    },
  );

  it('network failure: a connection dropped while sending the secret says no response, and nothing more', async () => {
    api.faults.push({ method: 'PUT', path: /\/secrets$/, status: 0, hangUp: true });
    const run = await ops('caller-secret', 'set');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/PUT \/resources\/stores\/secret\/sec001\/secrets → no response: /);
    expect(JSON.parse(auditText())).toMatchObject({ result: 'failed' });
    expectNoSecret({ stdout: run.out, stderr: run.err, audit: auditText() });
  });

  it('network failure: no answer at all (a closed loopback port)', async () => {
    // A port that was just free and is closed again: nothing listens there.
    const closed = await freePort();
    const run = await ops('keys', 'generate', '--api-url', `http://127.0.0.1:${closed}`);
    expect(run.code).toBe(1);
    expect(run.err).toContain('connection refused');
    expectNoSecret({ stdout: run.out, stderr: run.err, audit: auditText() });
  });

  it('a token a header cannot carry is refused as a usage error without showing it', async () => {
    for (const token of [`${TOKEN}\n`, ` ${TOKEN}`, `${TOKEN}é`]) {
      const run = await opsRunner(() => api, null, { env: { FASTLY_API_TOKEN: token } })(
        'keys',
        'list',
      );
      expect(run.code).toBe(2);
      expect(run.err).toMatch(/^FASTLY_API_TOKEN holds characters an HTTP header cannot/);
      expectNoSecret({ output: run.all });
    }
    expect(api.requests).toEqual([]);
  });
});

describe('ops secrets: the API client with a FAKE fetch (answers the stand-in cannot give)', () => {
  const SECRET = 'c2VjcmV0L3dpdGgvc2xhc2hlcw=='; // base64 with "/", escaped as \/ by some encoders
  const request = {
    method: 'PUT' as const,
    path: '/resources/stores/secret/s1/secrets',
    json: { name: 'caller_secret', secret: SECRET },
    secretFields: ['secret'],
  };
  const answering = (status: number, type: string, body: string) =>
    createFastlyApi({
      baseUrl: 'https://api.example',
      token: TOKEN,
      fetch: async () => new Response(body, { status, headers: { 'content-type': type } }),
    });
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FastlyApiError);
    return error as FastlyApiError;
  };

  const WITHHELD = "Fastly's message is not shown: the request carried secret field(s) secret";

  it(
    'an echo of the decoded secret (the Secret Store takes base64) is withheld with the rest ' +
      'of the message',
    async () => {
      // The reviewer's reproduction: the text sent is base64, the echo quotes the hex it decodes to.
      const error = await failure(
        answering(
          400,
          'application/json',
          JSON.stringify({ msg: `secret ${KEY_HEX} rejected` }),
        ).call({
          ...request,
          json: { name: 'cookie_key_1', secret: Buffer.from(KEY_HEX).toString('base64') },
        }),
      );
      expect(error.message).toBe(`PUT /resources/stores/secret/s1/secrets → HTTP 400: ${WITHHELD}`);
      expect(error.message).not.toContain(KEY_HEX.slice(0, 8));
    },
  );

  it(
    'any answer to a request with secret fields (JSON, plain text, HTML) is withheld, naming ' +
      'every secret field',
    async () => {
      for (const [type, body] of [
        ['application/json', `{"msg":"bad secret ${SECRET.replaceAll('/', '\\/')}"}`],
        ['text/plain', `token ${TOKEN} sent ${SECRET}`],
        ['text/html; charset=utf-8', '<html>bad gateway</html>'],
      ] as const) {
        const error = await failure(answering(422, type, body).call(request));
        expect(error.message, type).toBe(
          `PUT /resources/stores/secret/s1/secrets → HTTP 422: ${WITHHELD}`,
        );
      }
      const two = await failure(
        answering(400, 'text/plain', 'nothing secret here').call({
          method: 'PUT',
          path: '/x',
          form: { a: 'x', b: 'y' },
          secretFields: ['a', 'b'],
        }),
      );
      expect(two.message).toBe(
        "PUT /x → HTTP 400: Fastly's message is not shown: the request carried secret field(s) a, b",
      );
    },
  );

  it(
    "a request without secret fields keeps Fastly's message, the token in it named; an HTML " +
      'page is described',
    async () => {
      const plain = { method: 'GET' as const, path: '/service/s1/version' };
      const text = await failure(
        answering(
          403,
          'application/json',
          `{"msg":"token ${TOKEN} lacks scope","detail":"x"}`,
        ).call(plain),
      );
      expect(text.message).toBe(
        'GET /service/s1/version → HTTP 403: token <redacted: Fastly-Key> lacks scope — x',
      );
      const html = await failure(
        answering(502, 'text/html; charset=utf-8', '<html>bad gateway</html>').call(plain),
      );
      expect(html.message).toBe(
        'GET /service/s1/version → HTTP 502: (a text/html body of 24 characters, not shown)',
      );
    },
  );

  it('a network error on a secret request keeps only its code; the error keeps no body', async () => {
    const api = createFastlyApi({
      baseUrl: 'https://api.example',
      token: TOKEN,
      fetch: async () => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(
            new Error(`socket closed after "Fastly-Key: ${TOKEN}" and {"secret":"${SECRET}"}`),
            { code: 'ECONNRESET' },
          ),
        });
      },
    });
    const error = await failure(api.call(request));
    expect(error.message).toBe(
      'PUT /resources/stores/secret/s1/secrets → no response (connection reset (ECONNRESET)): ' +
        "the network error's text is not shown: the request carried secret field(s) secret",
    );
    expect(JSON.stringify(error.request)).toBe(
      '{"method":"PUT","path":"/resources/stores/secret/s1/secrets"}',
    );
  });

  it('a network error on a request without secrets keeps its text, the token in it named', async () => {
    const api = createFastlyApi({
      baseUrl: 'https://api.example',
      token: TOKEN,
      fetch: async () => {
        throw new TypeError('fetch failed', {
          cause: new Error(`socket closed after "Fastly-Key: ${TOKEN}"`),
        });
      },
    });
    const error = await failure(api.call({ method: 'GET', path: '/x' }));
    expect(error.message).toBe(
      'GET /x → no response: fetch failed: socket closed after "Fastly-Key: <redacted: Fastly-Key>"',
    );
  });

  it('a secret body without named fields is withheld under the secret field names given', async () => {
    const error = await failure(
      answering(400, 'text/plain', `cannot store ${SECRET}`).call({
        method: 'PUT',
        path: '/x',
        raw: SECRET,
        secretFields: ['value'],
      }),
    );
    expect(error.message).toBe(
      "PUT /x → HTTP 400: Fastly's message is not shown: the request carried secret field(s) value",
    );
  });

  it('a plan shows secret fields as <redacted>, and a secret body without named fields whole', () => {
    expect(describeRequest({ title: 't', request })).toBe(
      'PUT /resources/stores/secret/s1/secrets\n    name=caller_secret\n    secret=<redacted>',
    );
    expect(
      describeRequest({
        title: 't',
        request: { method: 'PUT', path: '/x', raw: SECRET, secretFields: ['value'] },
      }),
    ).toBe('PUT /x\n    body=<redacted>');
  });
});
