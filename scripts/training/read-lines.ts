/** Streams the lines of a log file, gunzipping `.gz` files, without loading the file. */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

export async function* readLines(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<string> {
  const raw = createReadStream(path);
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  const stream = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) yield line;
}

export const fileSize = (path: string): number => statSync(path).size;
