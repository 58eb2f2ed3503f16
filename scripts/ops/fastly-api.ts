/**
 * A small typed client for the documented Fastly API (https://www.fastly.com/documentation/reference/api/):
 * plain fetch, the token in the `Fastly-Key` header and nowhere else. Only the endpoints the
 * operator CLI needs; each method names the endpoint it calls.
 */
import { redactText, type NamedSecret } from './redact.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method: Method;
  /** Path below the API root, starting with `/`; path segments already URL-encoded. */
  path: string;
  query?: Record<string, string>;
  /** application/x-www-form-urlencoded body (the classic service API). */
  form?: Record<string, string>;
  /** application/json body (the resource store API). */
  json?: unknown;
  /** Raw body (KV Store values). */
  raw?: string;
  /** Return the response body as text, never parsed (KV values are opaque bytes). */
  text?: boolean;
  /**
   * Body fields (form or JSON object keys) that hold a secret: a plan shows them as <redacted>,
   * and an error about this request names them and withholds Fastly's message.
   */
  secretFields?: readonly string[];
}

/** The header the token travels in (https://www.fastly.com/documentation/reference/api/#authentication). */
const TOKEN_HEADER = 'Fastly-Key';

export class FastlyApiError extends Error {
  /** Method and path only: the error never holds the request body. */
  readonly request: { method: Method; path: string };
  /**
   * `detail` is Fastly's message (or why no answer came), with any `alsoSecret` (the token, sent
   * exactly as held) replaced by <redacted: name>. For a request that carries secret fields the
   * detail is withheld whole: a secret may come back transformed (the Secret Store takes base64,
   * an echo may quote the decoded value), so no text match can be trusted to find it. The
   * message then names the secret fields, and for no answer the network error's code only.
   */
  constructor(
    readonly status: number,
    request: ApiRequest,
    detail: string,
    alsoSecret: readonly NamedSecret[] = [],
    networkCode?: string,
  ) {
    const outcome = status === 0 ? 'no response' : `HTTP ${status}`;
    const secretFields = request.secretFields ?? [];
    let tail: string;
    if (secretFields.length > 0) {
      const withheld = status === 0 ? "the network error's text" : "Fastly's message";
      tail =
        `${networkCode ? ` (${networkCode})` : ''}: ${withheld} is not shown: the request ` +
        `carried secret field(s) ${secretFields.join(', ')}`;
    } else {
      const safe = redactText(detail, alsoSecret);
      tail = safe ? `: ${safe}` : '';
    }
    super(`${request.method} ${request.path} → ${outcome}${tail}`);
    this.name = 'FastlyApiError';
    this.request = { method: request.method, path: request.path };
  }
}

export interface FastlyApiOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  userAgent?: string;
}

export interface FastlyApi {
  /** The parsed JSON (or text) body; throws FastlyApiError for any non-2xx answer. */
  call<T = unknown>(request: ApiRequest): Promise<T>;
  /** As call, but a 404 answers null. */
  find<T = unknown>(request: ApiRequest): Promise<T | null>;
}

/**
 * Why a token cannot go in a header (whitespace or control characters, which fetch would reject
 * with an error quoting the value), or null. Says nothing about the value itself.
 */
export function tokenProblem(token: string): string | null {
  return /^[\x21-\x7e]+$/.test(token)
    ? null
    : 'holds characters an HTTP header cannot carry (spaces, line breaks, non-ASCII): check how ' +
        'it was exported (its value is not shown)';
}

const MAX_PAGES = 1000;

/** `encodeURIComponent` for one path segment (KV keys contain `/`). */
export const seg = (value: string | number) => encodeURIComponent(String(value));

export function createFastlyApi(options: FastlyApiOptions): FastlyApi {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  const problem = tokenProblem(options.token);
  if (problem) throw new Error(`the API token ${problem}`);
  // The token's only other use: errors from this client name it instead of quoting it.
  const tokenSecret: NamedSecret[] = [{ name: TOKEN_HEADER, value: options.token }];
  const failure = (status: number, request: ApiRequest, detail: string, networkCode?: string) =>
    new FastlyApiError(status, request, detail, tokenSecret, networkCode);

  async function send(
    request: ApiRequest,
  ): Promise<{ status: number; type: string; body: unknown }> {
    const url = new URL(base + request.path);
    for (const [name, value] of Object.entries(request.query ?? {}))
      url.searchParams.set(name, value);
    const headers: Record<string, string> = {
      [TOKEN_HEADER]: options.token,
      accept: 'application/json',
      'user-agent': options.userAgent ?? 'session-scorer-ops',
    };
    let body: string | undefined;
    if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    } else if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.raw !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      body = request.raw;
    }
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
    } catch (error) {
      throw failure(0, request, networkFailure(error), networkCode(error));
    }
    try {
      text = await response.text();
    } catch (error) {
      throw failure(
        response.status,
        request,
        `the answer broke off: ${networkFailure(error)}`,
        networkCode(error),
      );
    }
    const type = response.headers.get('content-type') ?? '';
    let parsed: unknown = text;
    if (!request.text && type.includes('json') && text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, type, body: parsed };
  }

  /**
   * Fastly's message from an error answer, whole: the fields its error bodies carry (msg, title,
   * detail, errors), read from the decoded JSON (FastlyApiError then replaces any echo of the
   * token by name, or withholds the message whole for a request with secret fields). A body that is
   * neither JSON nor plain text (a proxy's HTML page) is described, not printed.
   */
  const errorDetail = (answer: { type: string; body: unknown }): string => {
    const { body } = answer;
    if (body && typeof body === 'object') {
      const { msg, detail, title, errors } = body as Record<string, unknown>;
      const parts = [
        msg,
        title,
        detail,
        Array.isArray(errors)
          ? errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; ')
          : undefined,
      ];
      const text = parts.filter((p) => typeof p === 'string' && p !== '').join(' — ');
      return text || (Object.keys(body).length > 0 ? JSON.stringify(body) : '');
    }
    if (typeof body !== 'string' || body === '') return '';
    if (answer.type === '' || /^text\/plain|json/.test(answer.type)) return body;
    return `(a ${answer.type.split(';')[0]} body of ${body.length} characters, not shown)`;
  };
  return {
    async call<T>(request: ApiRequest) {
      const answer = await send(request);
      if (answer.status < 200 || answer.status > 299)
        throw failure(answer.status, request, errorDetail(answer));
      return answer.body as T;
    },
    async find<T>(request: ApiRequest) {
      const answer = await send(request);
      if (answer.status === 404) return null;
      if (answer.status < 200 || answer.status > 299)
        throw failure(answer.status, request, errorDetail(answer));
      return answer.body as T;
    },
  };
}

// ---- typed reads ------------------------------------------------------------------------

export interface ServiceVersion {
  number: number;
  active: boolean;
  locked?: boolean;
}
export interface VclSnippet {
  name: string;
  type: string;
  priority: number | string;
  dynamic: number | string;
  content: string | null;
}
export interface Dictionary {
  id: string;
  name: string;
  write_only?: boolean;
}
export interface StoreRef {
  id: string;
  name: string;
}
export type StoreKind = 'config' | 'secret' | 'kv';

/** GET /service/{service_id}/version: the active version, or an error naming the service. */
export async function activeVersion(api: FastlyApi, serviceId: string): Promise<number> {
  const versions = await api.call<ServiceVersion[]>({
    method: 'GET',
    path: `/service/${seg(serviceId)}/version`,
  });
  const active = versions.find((v) => v.active);
  if (!active)
    throw new Error(
      `service ${serviceId} has no active version: activate one first (the CLI clones the active version)`,
    );
  return Number(active.number);
}

/** GET /service/{id}/version/{v}/snippet/{name} */
export const getSnippet = (api: FastlyApi, serviceId: string, version: number, name: string) =>
  api.find<VclSnippet>({
    method: 'GET',
    path: `/service/${seg(serviceId)}/version/${version}/snippet/${seg(name)}`,
  });

/** GET /service/{id}/version/{v}/dictionary/{name} */
export const getDictionary = (api: FastlyApi, serviceId: string, version: number, name: string) =>
  api.find<Dictionary>({
    method: 'GET',
    path: `/service/${seg(serviceId)}/version/${version}/dictionary/${seg(name)}`,
  });

/** GET /service/{id}/dictionary/{dictionary_id}/item/{key}: the value, or null. */
export async function getDictionaryItem(
  api: FastlyApi,
  serviceId: string,
  dictionaryId: string,
  key: string,
): Promise<string | null> {
  const item = await api.find<{ item_value: string }>({
    method: 'GET',
    path: `/service/${seg(serviceId)}/dictionary/${seg(dictionaryId)}/item/${seg(key)}`,
  });
  return item?.item_value ?? null;
}

/** GET /service/{id}/version/{v}/backend/{name} */
export const getBackend = (api: FastlyApi, serviceId: string, version: number, name: string) =>
  api.find<{ name: string }>({
    method: 'GET',
    path: `/service/${seg(serviceId)}/version/${version}/backend/${seg(name)}`,
  });

/**
 * GET /resources/stores/{config|secret|kv}: the store with this name. The config store list is a
 * plain array; the secret and KV lists are `{data, meta: {next_cursor}}` pages.
 */
export async function findStore(api: FastlyApi, kind: StoreKind, name: string): Promise<StoreRef> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const body = await api.call<StoreRef[] | { data: StoreRef[]; meta?: { next_cursor?: string } }>(
      {
        method: 'GET',
        path: `/resources/stores/${kind}`,
        ...(cursor ? { query: { cursor } } : {}),
      },
    );
    const list = Array.isArray(body) ? body : body.data;
    const found = list.find((store) => store.name === name);
    if (found) return { id: found.id, name: found.name };
    cursor = Array.isArray(body) ? undefined : body.meta?.next_cursor || undefined;
    if (!cursor) break;
    if (page === MAX_PAGES - 1)
      throw new Error(`GET /resources/stores/${kind}: more than ${MAX_PAGES} pages; giving up`);
  }
  throw new Error(
    `no ${kind} store named "${name}" in this account (create it with \`fastly compute ` +
      `publish\`, which reads fastly.toml's [setup], or pass --${kind === 'kv' ? 'kv' : kind}-store NAME)`,
  );
}

/** GET /resources/stores/config/{id}/item/{key}: the value, or null. */
export async function getConfigItem(
  api: FastlyApi,
  storeId: string,
  key: string,
): Promise<string | null> {
  const item = await api.find<{ item_value: string }>({
    method: 'GET',
    path: `/resources/stores/config/${seg(storeId)}/item/${seg(key)}`,
  });
  return item?.item_value ?? null;
}

/** GET /resources/stores/config/{id}/items: every item of the store, by key (an unpaged list). */
export async function listConfigItems(
  api: FastlyApi,
  storeId: string,
): Promise<Map<string, string>> {
  const items = await api.call<{ item_key: string; item_value: string }[]>({
    method: 'GET',
    path: `/resources/stores/config/${seg(storeId)}/items`,
  });
  return new Map(items.map((item) => [item.item_key, item.item_value]));
}

/** GET /resources/stores/secret/{id}/secrets (paged): names and creation times; the API never returns values. */
export async function listSecrets(
  api: FastlyApi,
  storeId: string,
): Promise<{ name: string; createdAt: string | null }[]> {
  const secrets: { name: string; createdAt: string | null }[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    if (page === MAX_PAGES) throw new Error(`listing more than ${MAX_PAGES} pages; giving up`);
    const body = await api.call<{
      data: { name: string; created_at?: string }[];
      meta?: { next_cursor?: string };
    }>({
      method: 'GET',
      path: `/resources/stores/secret/${seg(storeId)}/secrets`,
      ...(cursor ? { query: { cursor } } : {}),
    });
    secrets.push(...body.data.map((s) => ({ name: s.name, createdAt: s.created_at ?? null })));
    cursor = body.meta?.next_cursor || undefined;
    if (!cursor) break;
  }
  return secrets;
}

/** GET /resources/stores/kv/{id}/keys/{key}: the value as text, or null. */
export async function getKvText(
  api: FastlyApi,
  storeId: string,
  key: string,
): Promise<string | null> {
  return api.find<string>({
    method: 'GET',
    path: `/resources/stores/kv/${seg(storeId)}/keys/${seg(key)}`,
    text: true,
  });
}

/** GET /resources/stores/kv/{id}/keys?prefix= (paged). */
export async function listKvKeys(
  api: FastlyApi,
  storeId: string,
  prefix: string,
): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    if (page === MAX_PAGES) throw new Error(`listing more than ${MAX_PAGES} pages; giving up`);
    const body = await api.call<{ data: string[]; meta?: { next_cursor?: string } }>({
      method: 'GET',
      path: `/resources/stores/kv/${seg(storeId)}/keys`,
      query: { prefix, ...(cursor ? { cursor } : {}) },
    });
    keys.push(...body.data);
    cursor = body.meta?.next_cursor || undefined;
    if (!cursor) break;
  }
  return keys;
}

/** GET /current_user: the login the token belongs to, for audit lines; null when not allowed. */
export async function currentLogin(api: FastlyApi): Promise<string | null> {
  try {
    const user = await api.call<{ login?: string }>({ method: 'GET', path: '/current_user' });
    return typeof user.login === 'string' ? user.login : null;
  } catch {
    return null;
  }
}

/**
 * Why a request never got an answer, in words an operator can act on: Node's fetch says only
 * "fetch failed" and keeps the cause (DNS, refused, reset, TLS) in `error.cause`.
 */
/** What Node's fetch errors carry as cause.code, said plainly. */
const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  CERT_HAS_EXPIRED: 'TLS: the certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS: self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS: certificate not verifiable',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS: certificate does not match the host',
};

const causeOf = (error: unknown) =>
  error instanceof Error
    ? (error.cause as { code?: unknown; message?: unknown } | undefined)
    : undefined;

/** A known network error code, explained (e.g. "connection refused (ECONNREFUSED)"), or undefined. */
export function networkCode(error: unknown): string | undefined {
  const code = causeOf(error)?.code;
  return typeof code === 'string' && NETWORK_CODES[code]
    ? `${NETWORK_CODES[code]} (${code})`
    : undefined;
}

export function networkFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = causeOf(error);
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code) return `${message}: ${networkCode(error) ?? code}`;
  if (typeof cause?.message === 'string' && cause.message !== '')
    return `${message}: ${cause.message}`;
  return message;
}
