/**
 * The one path by which src/config reads Secret Store items. A store that throws becomes a
 * failure naming the item and the error's kind, never the error's message (secret-fault.ts).
 */
import type { Platform } from '../platform.js';
import { fail, type Loaded } from './loaded.js';
import { errorKind, secretDetail } from './secret-fault.js';

/** The items' texts in order (null when absent), or the first item, in order, that could not be read. */
export async function readSecrets(
  platform: Platform,
  items: readonly string[],
): Promise<Loaded<(string | null)[]>> {
  const reads = await Promise.all(
    items.map((item) =>
      // Through a promise: an implementation that throws before returning one is caught too.
      Promise.resolve(item)
        .then((name) => platform.secret(name))
        .then(
          (text) => ({ ok: true as const, text }),
          (error: unknown) => ({ ok: false as const, kind: errorKind(error) }),
        ),
    ),
  );
  const texts: (string | null)[] = [];
  for (const [i, read] of reads.entries()) {
    if (!read.ok)
      return fail(
        'secret-store-unavailable',
        secretDetail({ item: items[i]!, problem: 'unreadable', kind: read.kind }),
      );
    texts.push(read.text);
  }
  return { ok: true, value: texts };
}
