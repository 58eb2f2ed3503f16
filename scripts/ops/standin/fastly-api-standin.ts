/**
 * A STAND-IN for the Fastly API (the real one cannot be reached from tests, nor by an operator
 * trying the runbook offline: `npm run ops:standin`, scripts/ops/standin/main.ts): a loopback HTTP
 * server that keeps state in memory for the endpoints the operator CLI uses, records every
 * request, and can inject failures. It follows the documented shapes
 * (https://www.fastly.com/documentation/reference/api/): form bodies for the service API, JSON for
 * the resource stores, raw bodies for KV values, the token in `Fastly-Key`, 404 for what does not
 * exist, versions locked once activated. It is not Fastly: passing against it shows the CLI sends
 * the requests we believe correct, in a safe order.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STORE_NAMES } from '../../../src/edge-contract.js';

export interface StandinSnippet {
  name: string;
  type: string;
  priority: number;
  dynamic: number;
  content: string;
}

export interface StandinVersion {
  number: number;
  active: boolean;
  locked: boolean;
  snippets: Map<string, StandinSnippet>;
  dictionaries: Map<string, { id: string; name: string; write_only: boolean }>;
  backends: Set<string>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Fault {
  method: string;
  path: RegExp;
  status: number;
  /** The error body; a function gets the request body (Fastly's messages sometimes echo a value). */
  body?: unknown | ((requestBody: string) => unknown);
  /** Drop the connection instead of answering: a network failure in the middle of the request. */
  hangUp?: boolean;
  /** How many times it fires (default once). */
  times?: number;
}

export interface StandinState {
  versions: StandinVersion[];
  dictionaryItems: Map<string, Map<string, string>>;
  configStores: Map<string, { name: string; items: Map<string, string> }>;
  secretStores: Map<string, { name: string; secrets: Map<string, string> }>;
  kvStores: Map<string, { name: string; keys: Map<string, string> }>;
}

export interface FastlyApiStandin {
  url: string;
  token: string;
  serviceId: string;
  state: StandinState;
  requests: RecordedRequest[];
  faults: Fault[];
  /** Called before each authenticated request is handled (tests simulate another operator here). */
  beforeHandle?: (method: string, path: string) => void;
  /** Errors Fastly's version validation reports for a version (default: none). */
  validate: (version: StandinVersion) => string[];
  /** A deep, comparable copy of the state. */
  snapshot(): unknown;
  activeVersion(): StandinVersion;
  /** Decoded secret value, for tests that check what the app would read. */
  secretText(store: string, name: string): string | null;
  configItem(store: string, key: string): string | null;
  kvValue(store: string, key: string): string | null;
  close(): Promise<void>;
}

export interface StandinOptions {
  token?: string;
  serviceId?: string;
  /** Create the three stores (default true). */
  stores?: boolean;
  /** The scorer backend on version 1 (default F_scorer; null for none). */
  backend?: string | null;
  login?: string;
  /** The loopback port to listen on (default 0: any free port). */
  port?: number;
}

export async function startFastlyApiStandin(
  options: StandinOptions = {},
): Promise<FastlyApiStandin> {
  const token = options.token ?? 'standin-token-7f3a9c2e41b8d605';
  const serviceId = options.serviceId ?? 'SVCstandin0001';
  const state: StandinState = {
    versions: [
      {
        number: 1,
        active: true,
        locked: true,
        snippets: new Map(),
        dictionaries: new Map(),
        backends: new Set(options.backend === null ? [] : [options.backend ?? 'F_scorer']),
      },
    ],
    dictionaryItems: new Map(),
    configStores: new Map(),
    secretStores: new Map(),
    kvStores: new Map(),
  };
  if (options.stores !== false) {
    state.configStores.set('cfg001', { name: STORE_NAMES.config, items: new Map() });
    state.secretStores.set('sec001', { name: STORE_NAMES.secrets, secrets: new Map() });
    state.kvStores.set('kv001', { name: STORE_NAMES.models, keys: new Map() });
  }
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  let nextDictionaryId = 1;
  const standin = {} as FastlyApiStandin;

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: ServerResponse, what: string) =>
    json(res, 404, { msg: 'Record not found', detail: `Couldn't find ${what}` });
  const version = (n: string) => state.versions.find((v) => v.number === Number(n));
  const snippetJson = (v: StandinVersion, s: StandinSnippet) => ({
    ...s,
    service_id: serviceId,
    version: v.number,
    id: `snip-${s.name}`,
  });

  type Handler = (
    req: {
      method: string;
      params: string[];
      form: URLSearchParams;
      body: string;
      query: URLSearchParams;
    },
    res: ServerResponse,
  ) => void;
  const routes: [string, RegExp, Handler][] = [
    [
      'GET',
      /^\/current_user$/,
      (_q, res) =>
        json(res, 200, { login: options.login ?? 'ops@example.com', name: 'Ops Person' }),
    ],
    [
      'GET',
      /^\/service\/([^/]+)\/version$/,
      (_q, res) =>
        json(
          res,
          200,
          state.versions.map((v) => ({
            number: v.number,
            active: v.active,
            locked: v.locked,
            service_id: serviceId,
          })),
        ),
    ],
    [
      'PUT',
      /^\/service\/([^/]+)\/version\/(\d+)\/clone$/,
      (q, res) => {
        const from = version(q.params[1]!);
        if (!from) return notFound(res, 'version');
        const number = Math.max(...state.versions.map((v) => v.number)) + 1;
        const copy: StandinVersion = {
          number,
          active: false,
          locked: false,
          snippets: new Map([...from.snippets].map(([k, s]) => [k, { ...s }])),
          dictionaries: new Map([...from.dictionaries].map(([k, d]) => [k, { ...d }])),
          backends: new Set(from.backends),
        };
        state.versions.push(copy);
        json(res, 200, { number, active: false, locked: false, service_id: serviceId });
      },
    ],
    [
      'GET',
      /^\/service\/([^/]+)\/version\/(\d+)\/validate$/,
      (q, res) => {
        const v = version(q.params[1]!);
        if (!v) return notFound(res, 'version');
        const errors = standin.validate(v);
        json(
          res,
          200,
          errors.length === 0
            ? { status: 'ok', errors: [], messages: [] }
            : { status: 'error', msg: 'Version failed validation', errors },
        );
      },
    ],
    [
      'PUT',
      /^\/service\/([^/]+)\/version\/(\d+)\/activate$/,
      (q, res) => {
        const v = version(q.params[1]!);
        if (!v) return notFound(res, 'version');
        for (const other of state.versions) other.active = false;
        v.active = true;
        v.locked = true;
        json(res, 200, { number: v.number, active: true, locked: true });
      },
    ],
    [
      'GET',
      /^\/service\/([^/]+)\/version\/(\d+)\/snippet\/([^/]+)$/,
      (q, res) => {
        const v = version(q.params[1]!);
        const s = v?.snippets.get(q.params[2]!);
        return v && s ? json(res, 200, snippetJson(v, s)) : notFound(res, 'snippet');
      },
    ],
    [
      'POST',
      /^\/service\/([^/]+)\/version\/(\d+)\/snippet$/,
      (q, res) => {
        const v = version(q.params[1]!);
        if (!v) return notFound(res, 'version');
        if (v.locked)
          return json(res, 400, {
            msg: 'Version locked',
            detail: 'Cannot modify a locked version',
          });
        const name = q.form.get('name') ?? '';
        if (v.snippets.has(name))
          return json(res, 409, {
            msg: 'Duplicate record',
            detail: `Duplicate snippet: '${name}'`,
          });
        const s = {
          name,
          type: q.form.get('type') ?? '',
          priority: Number(q.form.get('priority') ?? 100),
          dynamic: Number(q.form.get('dynamic') ?? 0),
          content: q.form.get('content') ?? '',
        };
        v.snippets.set(name, s);
        json(res, 200, snippetJson(v, s));
      },
    ],
    [
      'PUT',
      /^\/service\/([^/]+)\/version\/(\d+)\/snippet\/([^/]+)$/,
      (q, res) => {
        const v = version(q.params[1]!);
        const s = v?.snippets.get(q.params[2]!);
        if (!v || !s) return notFound(res, 'snippet');
        if (v.locked)
          return json(res, 400, {
            msg: 'Version locked',
            detail: 'Cannot modify a locked version',
          });
        for (const field of ['type', 'content'] as const)
          if (q.form.has(field)) s[field] = q.form.get(field)!;
        if (q.form.has('priority')) s.priority = Number(q.form.get('priority'));
        json(res, 200, snippetJson(v, s));
      },
    ],
    [
      'GET',
      /^\/service\/([^/]+)\/version\/(\d+)\/dictionary\/([^/]+)$/,
      (q, res) => {
        const d = version(q.params[1]!)?.dictionaries.get(q.params[2]!);
        return d ? json(res, 200, d) : notFound(res, 'dictionary');
      },
    ],
    [
      'POST',
      /^\/service\/([^/]+)\/version\/(\d+)\/dictionary$/,
      (q, res) => {
        const v = version(q.params[1]!);
        if (!v) return notFound(res, 'version');
        if (v.locked) return json(res, 400, { msg: 'Version locked' });
        const name = q.form.get('name') ?? '';
        const d = {
          id: `dict${nextDictionaryId++}`,
          name,
          write_only: q.form.get('write_only') === 'true',
        };
        v.dictionaries.set(name, d);
        state.dictionaryItems.set(d.id, new Map());
        json(res, 200, d);
      },
    ],
    [
      'GET',
      /^\/service\/([^/]+)\/version\/(\d+)\/backend\/([^/]+)$/,
      (q, res) =>
        version(q.params[1]!)?.backends.has(q.params[2]!)
          ? json(res, 200, { name: q.params[2] })
          : notFound(res, 'backend'),
    ],
    [
      'GET',
      /^\/service\/([^/]+)\/dictionary\/([^/]+)\/item\/([^/]+)$/,
      (q, res) => {
        const items = state.dictionaryItems.get(q.params[1]!);
        const value = items?.get(q.params[2]!);
        const writeOnly = state.versions.some((v) =>
          [...v.dictionaries.values()].some((d) => d.id === q.params[1] && d.write_only),
        );
        if (writeOnly) return json(res, 400, { msg: 'Dictionary is write-only' });
        return value === undefined
          ? notFound(res, 'item')
          : json(res, 200, {
              dictionary_id: q.params[1],
              item_key: q.params[2],
              item_value: value,
            });
      },
    ],
    [
      'PUT',
      /^\/service\/([^/]+)\/dictionary\/([^/]+)\/item\/([^/]+)$/,
      (q, res) => {
        const items = state.dictionaryItems.get(q.params[1]!);
        if (!items) return notFound(res, 'dictionary');
        items.set(q.params[2]!, q.form.get('item_value') ?? '');
        json(res, 200, {
          dictionary_id: q.params[1],
          item_key: q.params[2],
          item_value: q.form.get('item_value'),
        });
      },
    ],
    [
      'GET',
      /^\/resources\/stores\/config$/,
      (_q, res) =>
        json(
          res,
          200,
          [...state.configStores].map(([id, s]) => ({ id, name: s.name })),
        ),
    ],
    // Paged one store per page, to exercise the CLI's cursor handling.
    [
      'GET',
      /^\/resources\/stores\/secret$/,
      (q, res) =>
        page(
          res,
          [...state.secretStores].map(([id, s]) => ({ id, name: s.name })),
          q.query,
        ),
    ],
    [
      'GET',
      /^\/resources\/stores\/kv$/,
      (q, res) =>
        page(
          res,
          [...state.kvStores].map(([id, s]) => ({ id, name: s.name })),
          q.query,
        ),
    ],
    [
      'GET',
      /^\/resources\/stores\/config\/([^/]+)\/items$/,
      (q, res) => {
        const store = state.configStores.get(q.params[0]!);
        if (!store) return notFound(res, 'store');
        json(
          res,
          200,
          [...store.items].map(([key, value]) => ({
            store_id: q.params[0],
            item_key: key,
            item_value: value,
          })),
        );
      },
    ],
    [
      'GET',
      /^\/resources\/stores\/config\/([^/]+)\/item\/([^/]+)$/,
      (q, res) => {
        const value = state.configStores.get(q.params[0]!)?.items.get(q.params[1]!);
        return value === undefined
          ? notFound(res, 'item')
          : json(res, 200, { store_id: q.params[0], item_key: q.params[1], item_value: value });
      },
    ],
    [
      'PUT',
      /^\/resources\/stores\/config\/([^/]+)\/item\/([^/]+)$/,
      (q, res) => {
        const store = state.configStores.get(q.params[0]!);
        if (!store) return notFound(res, 'store');
        const value = q.form.get('item_value');
        if (value === null) return json(res, 400, { msg: 'item_value is required' });
        if (value.length > 8000)
          return json(res, 400, { msg: 'item_value is longer than 8000 characters' });
        store.items.set(q.params[1]!, value);
        json(res, 200, { store_id: q.params[0], item_key: q.params[1], item_value: value });
      },
    ],
    [
      'GET',
      /^\/resources\/stores\/secret\/([^/]+)\/secrets$/,
      (q, res) => {
        const store = state.secretStores.get(q.params[0]!);
        if (!store) return notFound(res, 'store');
        page(
          res,
          [...store.secrets.keys()].map((name) => ({ name, digest: 'x' })),
          q.query,
          2,
        );
      },
    ],
    [
      'POST',
      /^\/resources\/stores\/secret\/([^/]+)\/secrets$/,
      (q, res) => putSecret(q, res, 'create'),
    ],
    [
      'PUT',
      /^\/resources\/stores\/secret\/([^/]+)\/secrets$/,
      (q, res) => putSecret(q, res, 'upsert'),
    ],
    [
      'DELETE',
      /^\/resources\/stores\/secret\/([^/]+)\/secrets\/([^/]+)$/,
      (q, res) => {
        const store = state.secretStores.get(q.params[0]!);
        if (!store?.secrets.delete(q.params[1]!)) return notFound(res, 'secret');
        res.writeHead(204).end();
      },
    ],
    [
      'GET',
      /^\/resources\/stores\/kv\/([^/]+)\/keys$/,
      (q, res) => {
        const store = state.kvStores.get(q.params[0]!);
        if (!store) return notFound(res, 'store');
        const prefix = q.query.get('prefix') ?? '';
        page(
          res,
          [...store.keys.keys()].filter((k) => k.startsWith(prefix)),
          q.query,
          2,
        );
      },
    ],
    [
      'GET',
      /^\/resources\/stores\/kv\/([^/]+)\/keys\/([^/]+)$/,
      (q, res) => {
        const value = state.kvStores.get(q.params[0]!)?.keys.get(q.params[1]!);
        if (value === undefined) return notFound(res, 'key');
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(value);
      },
    ],
    [
      'DELETE',
      /^\/resources\/stores\/kv\/([^/]+)\/keys\/([^/]+)$/,
      (q, res) => {
        const store = state.kvStores.get(q.params[0]!);
        if (!store?.keys.delete(q.params[1]!)) return notFound(res, 'key');
        res.writeHead(204).end();
      },
    ],
    [
      'PUT',
      /^\/resources\/stores\/kv\/([^/]+)\/keys\/([^/]+)$/,
      (q, res) => {
        const store = state.kvStores.get(q.params[0]!);
        if (!store) return notFound(res, 'store');
        store.keys.set(q.params[1]!, q.body);
        res.writeHead(200).end();
      },
    ],
  ];

  function page<T>(res: ServerResponse, items: T[], query: URLSearchParams, size = 1) {
    const start = Number(query.get('cursor') ?? 0);
    const next = start + size < items.length ? String(start + size) : '';
    json(res, 200, {
      data: items.slice(start, start + size),
      meta: { next_cursor: next, limit: size },
    });
  }

  function putSecret(
    q: { params: string[]; body: string },
    res: ServerResponse,
    mode: 'create' | 'upsert',
  ) {
    const store = state.secretStores.get(q.params[0]!);
    if (!store) return notFound(res, 'store');
    let body: { name?: string; secret?: string };
    try {
      body = JSON.parse(q.body);
    } catch {
      return json(res, 400, { msg: 'invalid JSON' });
    }
    if (!body.name || typeof body.secret !== 'string')
      return json(res, 400, { msg: 'name and secret are required' });
    if (mode === 'create' && store.secrets.has(body.name))
      return json(res, 409, { msg: 'Secret already exists' });
    store.secrets.set(body.name, body.secret);
    json(res, 200, { name: body.name, digest: 'x', created_at: new Date().toISOString() });
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://standin');
      const method = req.method ?? 'GET';
      requests.push({ method, path: url.pathname + url.search, headers: req.headers, body });
      if (req.headers['fastly-key'] !== token)
        return json(res, 401, { msg: 'Provided credentials are missing or invalid' });
      standin.beforeHandle?.(method, url.pathname);
      const fault = faults.find(
        (f) => f.method === method && f.path.test(url.pathname) && (f.times ?? 1) > 0,
      );
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        if (fault.hangUp) return req.socket.destroy();
        const answer = typeof fault.body === 'function' ? fault.body(body) : fault.body;
        return json(res, fault.status, answer ?? { msg: 'Internal Server Error' });
      }
      for (const [m, pattern, handler] of routes) {
        const match = m === method ? pattern.exec(url.pathname) : null;
        if (!match) continue;
        const params = match.slice(1).map((p) => decodeURIComponent(p));
        if (params[0] !== undefined && /^\/service\//.test(url.pathname) && params[0] !== serviceId)
          return notFound(res, 'service');
        const form = new URLSearchParams(
          req.headers['content-type']?.includes('x-www-form-urlencoded') ? body : '',
        );
        return handler({ method, params, form, body, query: url.searchParams }, res);
      }
      json(res, 404, {
        msg: 'Not found',
        detail: `${method} ${url.pathname} is not an endpoint of this stand-in`,
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // a port in use must fail, not hang
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  Object.assign(standin, {
    url: `http://127.0.0.1:${port}`,
    token,
    serviceId,
    state,
    requests,
    faults,
    validate: () => [],
    snapshot: () =>
      JSON.parse(
        JSON.stringify(state, (_key, value) =>
          value instanceof Map
            ? Object.fromEntries(value)
            : value instanceof Set
              ? [...value]
              : value,
        ),
      ),
    activeVersion: () => state.versions.find((v) => v.active)!,
    secretText(store: string, name: string) {
      const found = [...state.secretStores.values()]
        .find((s) => s.name === store)
        ?.secrets.get(name);
      return found === undefined ? null : Buffer.from(found, 'base64').toString('utf8');
    },
    configItem: (store: string, key: string) =>
      [...state.configStores.values()].find((s) => s.name === store)?.items.get(key) ?? null,
    kvValue: (store: string, key: string) =>
      [...state.kvStores.values()].find((s) => s.name === store)?.keys.get(key) ?? null,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  } satisfies FastlyApiStandin);
  return standin;
}
