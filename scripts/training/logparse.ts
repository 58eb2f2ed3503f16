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
  /** The request line's third token ('HTTP/1.1'); null when the line has none. */
  protocol: string | null;
  /** Session id hash when the line comes from the scorer's audit log. */
  sessionId: string | null;
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

// 1.2.3.4 - user [17/May/2015:10:05:03 +0000] "GET /path HTTP/1.1" 200 1234 "referer" "agent" …
const COMBINED =
  /^(\S+) \S+ \S+ \[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "([^"]*)" (\d{3}|-) \S+(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

export function parseCombined(line: string): LogRecord | null {
  // undefined: the fast path does not know the line's shape (ask the regex); null: it is sure
  // the line is not a log record (the regex would say the same).
  const fast = parseCombinedFast(line);
  return fast !== undefined ? fast : parseCombinedRegex(line);
}

/** The reference parser: the COMBINED regex. parseCombinedFast must agree with it wherever it answers. */
export function parseCombinedRegex(line: string): LogRecord | null {
  const m = COMBINED.exec(line);
  if (!m) return null;
  const month = MONTHS[m[3]!];
  if (month === undefined) return null;
  const offsetMin = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const timeMs =
    Date.UTC(Number(m[4]), month, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7])) -
    offsetMin * 60_000;
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
    protocol: request[2] || null,
    sessionId: null,
  };
}

// Training speed (docs/perf.md): the regex with its 14 captures was the largest cost of training.
// This scanner reads the usual shape of a combined line with indexOf and char codes, and answers
// only when it is sure to agree with the regex: anything unusual (whitespace other than a space or
// non-ASCII in the space-separated fields, a backslash in the quoted fields, no referer and agent
// pair, a malformed time) returns undefined and the regex decides. A property test compares the two.
const SPACE = 32;
const QUOTE = 34;
const isDigit = (c: number) => c >= 48 && c <= 57;
/** A run of printable ASCII without a space: certainly \S+ for the regex. */
function plainField(line: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c <= SPACE || c >= 127) return false;
  }
  return true;
}
const two = (line: string, i: number) =>
  (line.charCodeAt(i) - 48) * 10 + line.charCodeAt(i + 1) - 48;
/** Offsets of the digits in "[dd/Mon/yyyy:hh:mm:ss +zzzz]". */
const TIME_DIGITS = [1, 2, 8, 9, 10, 11, 13, 14, 16, 17, 19, 20, 23, 24, 25, 26] as const;
let cachedDay = '';
let cachedDayMs = 0;

export function parseCombinedFast(line: string): LogRecord | null | undefined {
  // (\S+) \S+ \S+ \[
  const s1 = line.indexOf(' ');
  if (s1 <= 0 || !plainField(line, 0, s1)) return undefined;
  const s2 = line.indexOf(' ', s1 + 1);
  if (s2 < 0 || !plainField(line, s1 + 1, s2)) return undefined;
  const s3 = line.indexOf(' ', s2 + 1);
  if (s3 < 0 || !plainField(line, s2 + 1, s3)) return undefined;
  // [dd/Mon/yyyy:hh:mm:ss +zzzz] "
  const t = s3 + 1;
  if (
    line.length < t + 30 ||
    line.charCodeAt(t) !== 91 ||
    line.charCodeAt(t + 27) !== 93 ||
    line.charCodeAt(t + 28) !== SPACE ||
    line.charCodeAt(t + 29) !== QUOTE
  )
    return undefined;
  if (
    line.charCodeAt(t + 3) !== 47 ||
    line.charCodeAt(t + 7) !== 47 ||
    line.charCodeAt(t + 12) !== 58 ||
    line.charCodeAt(t + 15) !== 58 ||
    line.charCodeAt(t + 18) !== 58 ||
    line.charCodeAt(t + 21) !== SPACE
  )
    return undefined;
  for (let k = 0; k < TIME_DIGITS.length; k++)
    if (!isDigit(line.charCodeAt(t + TIME_DIGITS[k]!))) return undefined;
  const sign = line.charCodeAt(t + 22);
  if (sign !== 43 && sign !== 45) return undefined;
  // dd/Mon/yyyy, compared in place (no new string per line)
  if (cachedDay.length === 0 || !line.startsWith(cachedDay, t + 1)) {
    const m0 = line.charCodeAt(t + 4);
    const m1 = line.charCodeAt(t + 5);
    const m2 = line.charCodeAt(t + 6);
    if (m0 < 65 || m0 > 90 || m1 < 97 || m1 > 122 || m2 < 97 || m2 > 122) return undefined;
    const month = MONTHS[line.slice(t + 4, t + 7)];
    if (month === undefined) return undefined;
    // Date.UTC(y, m, d, h, mi, s) is Date.UTC(y, m, d) + the time of day in ms (MakeDate/MakeTime
    // arithmetic), so the day is cached.
    cachedDayMs = Date.UTC(two(line, t + 8) * 100 + two(line, t + 10), month, two(line, t + 1));
    cachedDay = line.slice(t + 1, t + 12);
  }
  const offsetMin = (sign === 45 ? -1 : 1) * (two(line, t + 23) * 60 + two(line, t + 25));
  const timeMs =
    cachedDayMs +
    two(line, t + 13) * 3_600_000 +
    two(line, t + 16) * 60_000 +
    two(line, t + 19) * 1000 -
    offsetMin * 60_000;
  // "request" status bytes
  const q1 = t + 30;
  const q2 = line.indexOf('"', q1);
  if (q2 < 0 || line.charCodeAt(q2 + 1) !== SPACE) return undefined;
  const st = q2 + 2;
  let status: number | null;
  let afterStatus: number;
  if (line.charCodeAt(st) === 45 && line.charCodeAt(st + 1) === SPACE) {
    status = null;
    afterStatus = st + 1;
  } else if (
    isDigit(line.charCodeAt(st)) &&
    isDigit(line.charCodeAt(st + 1)) &&
    isDigit(line.charCodeAt(st + 2)) &&
    line.charCodeAt(st + 3) === SPACE
  ) {
    status = (line.charCodeAt(st) - 48) * 100 + two(line, st + 1);
    afterStatus = st + 3;
  } else return undefined;
  const bytesEnd = line.indexOf(' ', afterStatus + 1);
  if (
    bytesEnd < 0 ||
    !plainField(line, afterStatus + 1, bytesEnd) ||
    line.charCodeAt(bytesEnd + 1) !== QUOTE
  )
    return undefined;
  // "referer" "agent"
  const r1 = bytesEnd + 2;
  const r2 = line.indexOf('"', r1);
  if (r2 < 0 || line.charCodeAt(r2 + 1) !== SPACE || line.charCodeAt(r2 + 2) !== QUOTE)
    return undefined;
  const u1 = r2 + 3;
  const u2 = line.indexOf('"', u1);
  if (u2 < 0) return undefined;
  const backslash = line.indexOf('\\', r1);
  if (backslash >= 0 && backslash < u2) return undefined;
  // The request line: method and path as the regex path splits them.
  const sp = line.indexOf(' ', q1);
  if (sp < 0 || sp >= q2) return null; // fewer than two words: the regex path refuses it too
  // The usual method is one shared string instead of a new one per line.
  const method = sp - q1 === 3 && line.startsWith('GET', q1) ? 'GET' : line.slice(q1, sp);
  if (method.length > 16) return null;
  for (let i = 0; i < method.length; i++) {
    const c = method.charCodeAt(i);
    if (c < 65 || c > 90) return null;
  }
  if (method.length === 0) return null;
  const sp2 = line.indexOf(' ', sp + 1);
  const hasThird = sp2 >= 0 && sp2 < q2;
  const path = line.slice(sp + 1, hasThird ? sp2 : q2);
  // The third space-separated token, as the regex path's split(' ') gives it ('' = none).
  let protocol: string | null = null;
  if (hasThird) {
    const sp3 = line.indexOf(' ', sp2 + 1);
    const end = sp3 >= 0 && sp3 < q2 ? sp3 : q2;
    // The usual protocols are shared strings, as the method is.
    const token =
      end - sp2 === 9 && line.startsWith('HTTP/1.', sp2 + 1)
        ? line.charCodeAt(sp2 + 8) === 49
          ? 'HTTP/1.1'
          : line.charCodeAt(sp2 + 8) === 48
            ? 'HTTP/1.0'
            : line.slice(sp2 + 1, end)
        : line.slice(sp2 + 1, end);
    protocol = token || null;
  }
  const referer = line.slice(r1, r2);
  const userAgent = line.slice(u1, u2);
  return {
    timeMs,
    ip: line.slice(0, s1),
    method,
    path,
    status,
    userAgent: userAgent === '-' ? '' : userAgent,
    referer: referer === '-' ? null : referer,
    protocol,
    sessionId: null,
  };
}

const str = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;

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
  const timeMs =
    timeText === null
      ? typeof doc.timestamp === 'number'
        ? doc.timestamp * (doc.timestamp < 1e12 ? 1000 : 1)
        : NaN
      : Date.parse(timeText);
  const path = str(doc.path) ?? str(doc.url) ?? str(doc.request_url);
  const ip = str(doc.ip) ?? str(doc.client_ip) ?? str(doc.client) ?? '';
  if (!Number.isFinite(timeMs) || path === null) return null;
  const status =
    typeof doc.status === 'number'
      ? doc.status
      : typeof doc.status === 'string' && /^\d{3}$/.test(doc.status)
        ? Number(doc.status)
        : null;
  return {
    timeMs,
    ip,
    method: (str(doc.method) ?? str(doc.request_method) ?? 'GET').toUpperCase(),
    path,
    status,
    userAgent: str(doc.ua) ?? str(doc.user_agent) ?? str(doc.request_user_agent) ?? '',
    referer: str(doc.referer) ?? str(doc.referrer),
    protocol: str(doc.protocol) ?? str(doc.proto) ?? str(doc.request_protocol),
    sessionId: str(doc.sid),
  };
}

export function parseLogLine(line: string): LogRecord | null {
  const trimmed = line.trim();
  if (trimmed === '') return null;
  // JSON: a line that is an object, or the audit log's "<prefix> :: {…}". Most lines have no "{"
  // at all, and a one-character search is the cheapest way to see that.
  if (trimmed.charCodeAt(0) === 123 || (trimmed.includes('{') && trimmed.includes(' :: {')))
    return parseJsonLine(trimmed);
  return parseCombined(trimmed);
}
