/**
 * The caller secrets the scorer accepts in x-scorer-auth (surrounding whitespace ignored):
 * `caller_secret`, and `caller_secret_next` when set. The second lets a rotation hand the new
 * secret to the scorer before the VCL starts sending it (docs/operators.md), so no preflight is
 * refused on the way. Null when neither is set.
 */
import type { Platform } from '../platform.js';
import { fail, type Loaded } from './loaded.js';
import { MIN_CALLER_SECRET_LENGTH, secretDetail } from './secret-fault.js';
import { readSecrets } from './secret-store.js';

export { MIN_CALLER_SECRET_LENGTH };

/** The secret the scorer accepts, and the one a rotation hands it before the VCL sends it. */
export const CALLER_SECRET_ITEM = 'caller_secret';
export const CALLER_SECRET_NEXT_ITEM = 'caller_secret_next';
export const CALLER_SECRET_ITEMS = [CALLER_SECRET_ITEM, CALLER_SECRET_NEXT_ITEM] as const;

export async function readCallerSecret(platform: Platform): Promise<Loaded<string[] | null>> {
  const secrets = await readSecrets(platform, CALLER_SECRET_ITEMS);
  if (!secrets.ok) return secrets;
  const accepted: string[] = [];
  for (const [i, secret] of secrets.value.entries()) {
    const trimmed = secret?.trim() ?? '';
    if (trimmed.length === 0) continue;
    if (trimmed.length < MIN_CALLER_SECRET_LENGTH)
      return fail(
        'caller-secret-invalid',
        secretDetail({ item: CALLER_SECRET_ITEMS[i]!, problem: 'callerSecretShort' }),
      );
    accepted.push(trimmed);
  }
  return { ok: true, value: accepted.length === 0 ? null : accepted };
}
