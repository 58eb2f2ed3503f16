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

export async function* readLineBatches(
  path: string,
  onBytes?: (bytes: number) => void,
  highWaterMark = HIGH_WATER_MARK,
): AsyncGenerator<string[]> {
  const raw = createReadStream(path, { highWaterMark });
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  let stream: NodeJS.ReadableStream = raw;
  if (path.endsWith('.gz')) {
    const gunzip = createGunzip();
    // pipe() does not pass a read error on: end the gunzip stream with it.
    raw.on('error', (error) => gunzip.destroy(error));
    stream = raw.pipe(gunzip);
  }
  // The decoder keeps a multi-byte UTF-8 character that straddles two chunks whole.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let lineCount = 0;
  try {
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
      // No "\n" is left in text[start…]: a "\r" before its last character is a lone "\r", a line
      // break of its own (files with "\r" breaks only would otherwise pile up in `pending`). A
      // trailing "\r" may be the first half of "\r\n": keep it with the rest for the next chunk.
      if (!plain && text.length >= 2) {
        const cr = text.lastIndexOf('\r', text.length - 2);
        if (cr >= start) {
          pushLine(lines, text, start, cr + 1);
          start = cr + 1;
        }
      }
      pending = text.slice(start);
      lineCount += lines.length;
      if (lines.length > 0) yield lines;
    }
  } catch (error) {
    // A truncated .gz or an unreadable file: say which input and how far it got.
    throw new Error(
      `${path}: ${error instanceof Error ? error.message : String(error)} (after ${lineCount} lines)`,
    );
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

export const fileSize = (path: string): number => statSync(path).size;
