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
  // The common path adds no promise hop to the reads (each costs microseconds in the wasm's
  // interpreter, per request); only a failure pays for finding out which item it was.
  try {
    return { ok: true, value: await Promise.all(items.map((item) => platform.secret(item))) };
  } catch (first) {
    for (const item of items) {
      try {
        await platform.secret(item);
      } catch (error) {
        return fail(
          'secret-store-unavailable',
          secretDetail({ item, problem: 'unreadable', kind: errorKind(error) }),
        );
      }
    }
    // The store failed once, then read every item: report the first item with that failure's kind.
    return fail(
      'secret-store-unavailable',
      secretDetail({ item: items[0]!, problem: 'unreadable', kind: errorKind(first) }),
    );
  }
}
