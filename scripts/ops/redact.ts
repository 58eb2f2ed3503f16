/**
 * Secrets by name: a request names the body fields that hold a secret (ApiRequest.secretFields),
 * so whatever renders it shows `<redacted>` for those fields, and whatever reports about it (an
 * error, an answer that echoes the submitted value) replaces their values with
 * `<redacted: field>`. No filter runs over the output as a whole: each report is built from the
 * request it is about, which knows which of its values are secret.
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

/**
 * The values of a request's secret fields, each under its field name; a secret body without
 * named fields (raw, or JSON that is not an object) is secret whole, under the name "body".
 */
export function secretsOf(request: {
  form?: Record<string, string>;
  json?: unknown;
  raw?: string;
  secretFields?: readonly string[];
}): NamedSecret[] {
  const fields = bodyFields(request);
  if (!fields) {
    if (!request.secretFields?.length) return [];
    const whole = request.raw ?? (request.json === undefined ? '' : JSON.stringify(request.json));
    return whole === '' ? [] : [{ name: 'body', value: whole }];
  }
  return (request.secretFields ?? []).flatMap((name) => {
    const value = fields[name];
    return typeof value === 'string' && value !== '' ? [{ name, value }] : [];
  });
}

/** `text` with every occurrence of a secret value replaced by `<redacted: name>`. */
export function redactText(text: string, secrets: readonly NamedSecret[]): string {
  // Longest first, so a secret containing another is replaced whole.
  const ordered = [...secrets].sort((a, b) => b.value.length - a.value.length);
  let result = text;
  for (const { name, value } of ordered) result = result.split(value).join(`<redacted: ${name}>`);
  return result;
}
