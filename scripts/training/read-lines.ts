/**
 * Streams the lines of a log file, gunzipping `.gz` files, without loading the file.
 *
 * Lines come in batches (one per chunk read) so the caller loops over them synchronously: one
 * await per 64 KiB chunk instead of one per line (readline's per-line events and an async
 * generator step per line were most of the training time). Line breaks are readline's with
 * crlfDelay Infinity: "\n", "\r\n" and a lone "\r"; a last line without a break is kept.
 */
import { createReadStream, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

const HIGH_WATER_MARK = 256 * 1024;

export async function* readLineBatches(path: string, onBytes?: (bytes: number) => void, highWaterMark = HIGH_WATER_MARK): AsyncGenerator<string[]> {
  const raw = createReadStream(path, { highWaterMark });
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  const stream = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  // The decoder keeps a multi-byte UTF-8 character that straddles two chunks whole.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = pending + decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    // Most logs have no "\r" at all: then a line is exactly the text between two "\n".
    const plain = !text.includes('\r');
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      if (plain) lines.push(text.slice(start, nl));
      else pushLine(lines, text, start, nl);
      start = nl + 1;
    }
    // A trailing "\r" may be the first half of "\r\n": keep it with the rest for the next chunk.
    pending = text.slice(start);
    if (lines.length > 0) yield lines;
  }
  pending += decoder.end();
  if (pending.length > 0) {
    const lines: string[] = [];
    // No "\n" left: everything is one line, unless lone "\r"s split it.
    pushLine(lines, pending, 0, pending.length);
    if (lines.length > 0) yield lines;
  }
}

/** Adds text[start, end) (a line ended by "\n" or the input's end) to `lines`, splitting at lone "\r". */
function pushLine(lines: string[], text: string, start: number, end: number): void {
  if (end > start && text.charCodeAt(end - 1) === 13) end--; // "\r\n"
  let cr = text.indexOf('\r', start);
  if (cr < 0 || cr >= end) {
    lines.push(text.slice(start, end));
    return;
  }
  while (cr >= 0 && cr < end) {
    lines.push(text.slice(start, cr));
    start = cr + 1;
    cr = text.indexOf('\r', start);
  }
  // readline does not emit an empty line after a "\r" that ends the input.
  if (start < end || end < text.length) lines.push(text.slice(start, end));
}

export async function* readLines(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<string> {
  for await (const batch of readLineBatches(path, onBytes)) yield* batch;
}

export const fileSize = (path: string): number => statSync(path).size;
