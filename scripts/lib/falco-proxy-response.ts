/**
 * `falco simulate --proxy` answers every request with a 200 whose body is the edge's own HTTP
 * response, serialised (Go's http.Response.Write). The fronts that let real clients browse the
 * simulated edge (bench:detection's stack, the edge tests' falco-front) unwrap it with this, so
 * the clients get the real status, headers (Set-Cookie included) and body.
 */
export interface RawResponse {
  status: number;
  statusText: string;
  /** Header lines in order, names as sent, repeated names (Set-Cookie) kept. */
  headers: [string, string][];
  body: Buffer;
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) throw new Error('raw response: chunk size line not terminated');
    const size = Number.parseInt(
      data.subarray(at, lineEnd).toString('latin1').split(';')[0]!.trim(),
      16,
    );
    if (!Number.isFinite(size)) throw new Error(`raw response: bad chunk size at byte ${at}`);
    if (size === 0) return Buffer.concat(parts);
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

export function parseRawResponse(data: Buffer): RawResponse {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) throw new Error('raw response: no end of headers');
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match)
    throw new Error(`raw response: bad status line ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0)
      throw new Error(`raw response: bad header line ${JSON.stringify(line.slice(0, 80))}`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const rest = data.subarray(headEnd + 4);
  const chunked = headers.some(
    ([name, value]) => name.toLowerCase() === 'transfer-encoding' && /chunked/i.test(value),
  );
  return {
    status: Number(match[1]),
    statusText: match[2] ?? '',
    headers,
    body: chunked ? dechunk(rest) : rest,
  };
}
