/**
 * Access-log line parsers for training and evaluation: Apache/Nginx combined (with or without
 * trailing extra fields), Fastly JSON log lines, and the scorer's own audit log (JSON). Each
 * returns null for a line it cannot read; callers count those, nothing throws.
 */

export interface LogRecord {
  timeMs: number;
  ip: string;
  method: string;
  /** Path with query (as logged). */
  path: string;
  status: number | null;
  userAgent: string;
  referer: string | null;
  /** Session id hash when the line comes from the scorer's audit log. */
  sessionId: string | null;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

// 1.2.3.4 - user [17/May/2015:10:05:03 +0000] "GET /path HTTP/1.1" 200 1234 "referer" "agent" …
const COMBINED = /^(\S+) \S+ \S+ \[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "([^"]*)" (\d{3}|-) \S+(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

export function parseCombined(line: string): LogRecord | null {
  const m = COMBINED.exec(line);
  if (!m) return null;
  const month = MONTHS[m[3]!];
  if (month === undefined) return null;
  const offsetMin = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const timeMs = Date.UTC(Number(m[4]), month, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7])) - offsetMin * 60_000;
  const request = m[11]!.split(' ');
  if (request.length < 2 || !/^[A-Z]{1,16}$/.test(request[0]!)) return null;
  return {
    timeMs,
    ip: m[1]!,
    method: request[0]!,
    path: request[1]!,
    status: m[12] === '-' ? null : Number(m[12]),
    userAgent: m[14] === undefined || m[14] === '-' ? '' : m[14],
    referer: m[13] === undefined || m[13] === '-' ? null : m[13],
    sessionId: null,
  };
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

/** Fastly JSON logging (common field names) and the scorer's audit log lines. */
export function parseJsonLine(line: string): LogRecord | null {
  let doc: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line.slice(line.indexOf('{')));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    doc = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const timeText = str(doc.time) ?? str(doc.timestamp) ?? str(doc.time_start);
  const timeMs = timeText === null ? (typeof doc.timestamp === 'number' ? doc.timestamp * (doc.timestamp < 1e12 ? 1000 : 1) : NaN) : Date.parse(timeText);
  const path = str(doc.path) ?? str(doc.url) ?? str(doc.request_url);
  const ip = str(doc.ip) ?? str(doc.client_ip) ?? str(doc.client) ?? '';
  if (!Number.isFinite(timeMs) || path === null) return null;
  const status = typeof doc.status === 'number' ? doc.status : typeof doc.status === 'string' && /^\d{3}$/.test(doc.status) ? Number(doc.status) : null;
  return {
    timeMs,
    ip,
    method: (str(doc.method) ?? str(doc.request_method) ?? 'GET').toUpperCase(),
    path,
    status,
    userAgent: str(doc.ua) ?? str(doc.user_agent) ?? str(doc.request_user_agent) ?? '',
    referer: str(doc.referer) ?? str(doc.referrer),
    sessionId: str(doc.sid),
  };
}

export function parseLogLine(line: string): LogRecord | null {
  const trimmed = line.trim();
  if (trimmed === '') return null;
  if (trimmed.includes('{') && (trimmed.startsWith('{') || / :: \{/.test(trimmed))) return parseJsonLine(trimmed);
  return parseCombined(trimmed);
}
