/**
 * Secrets by name: a request names the body fields that hold a secret (ApiRequest.secretFields),
 * so whatever renders it shows `<redacted>` for those fields, and an error about it names them
 * and withholds Fastly's message (FastlyApiError): a secret may be echoed in another form than
 * the one sent (base64 decoded), which no text match finds. Only the token, sent exactly as held,
 * is replaced by text (`<redacted: Fastly-Key>`) in the messages of requests without secrets.
 */

/** A secret value and the name it is reported under (a body field, or a header). */
export interface NamedSecret {
  name: string;
  value: string;
}

export const REDACTED = '<redacted>';

/** The request body's fields, when it has named ones (a form, or a JSON object). */
export function bodyFields(request: {
  form?: Record<string, string>;
  json?: unknown;
}): Record<string, unknown> | undefined {
  if (request.form) return request.form;
  const { json } = request;
  return json && typeof json === 'object' && !Array.isArray(json)
    ? (json as Record<string, unknown>)
    : undefined;
}

/** `text` with every occurrence of a secret value replaced by `<redacted: name>`. */
export function redactText(text: string, secrets: readonly NamedSecret[]): string {
  // Longest first, so a secret containing another is replaced whole.
  const ordered = [...secrets].sort((a, b) => b.value.length - a.value.length);
  let result = text;
  for (const { name, value } of ordered) result = result.split(value).join(`<redacted: ${name}>`);
  return result;
}
