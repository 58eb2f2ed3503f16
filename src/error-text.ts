/**
 * The text of an error that carries no secret (a Config Store or KV failure, a counter that
 * threw, an unexpected exception), for a log line or a fail-open detail. The cap only bounds a log
 * line's size; it is not a redaction: failures about secrets never pass their error's message
 * here (src/config/secret-fault.ts).
 */
export const ERROR_TEXT_MAX_CHARS = 500;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > ERROR_TEXT_MAX_CHARS ? text.slice(0, ERROR_TEXT_MAX_CHARS) + '…' : text;
}
