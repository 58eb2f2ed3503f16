/**
 * The crawlers snippet (init, priority 5): one ACL per declared crawler, compiled from the crawler
 * range snapshot (IPv4 and IPv6 entries). The recv snippet checks each crawler's User-Agent claim
 * against its ACL (declaredCrawlers).
 */
import { CRAWLERS } from '@session-scorer/core';
import { formatAddress, type Cidr } from '../cidr.js';
import { aclName, GENERATED_BY, MAX_SNIPPET_BYTES } from '../facts.js';
import { VclValidationError, type ValidatedVclOptions } from '../options.js';
import { crawlerCidrs, isComplete, type VerifiedBotsSnapshot } from '../verified-bots.js';

export interface DeclaredCrawler {
  name: string;
  /** scorer-core's User-Agent pattern for it (CRAWLERS, first match wins). */
  userAgent: string;
  /** VCL name of its ACL. */
  acl: string;
  /** Its published ranges in the snapshot (none: the claim can be neither verified nor refuted). */
  cidrs: Cidr[];
  /** The snapshot holds every source of its ranges, so a claim from outside them is spoofed. */
  complete: boolean;
}

/** scorer-core's declared crawlers, in order, with their ranges from the snapshot. */
export function declaredCrawlers(snapshot: VerifiedBotsSnapshot): DeclaredCrawler[] {
  return CRAWLERS.map((crawler) => {
    const ranges = snapshot.crawlers[crawler.name]!;
    return {
      ...crawler,
      acl: aclName(crawler.name),
      cidrs: crawlerCidrs(ranges),
      complete: isComplete(ranges),
    };
  });
}

/** Throws VclValidationError when the ACLs exceed Fastly's snippet size limit. */
export function crawlersSnippet(options: ValidatedVclOptions): string {
  const aclBlocks = declaredCrawlers(options.verifiedBots)
    .filter((c) => c.cidrs.length > 0)
    .map(
      (c) =>
        `acl ${c.acl} {\n${c.cidrs.map((cidr) => `  "${formatAddress(cidr)}"/${cidr.length};`).join('\n')}\n}`,
    )
    .join('\n\n');
  const content = `${GENERATED_BY}
# session-scorer: the published IP ranges of declared crawlers, one ACL per crawler, compiled from
# scripts/vcl/verified-bots.json (snapshot taken ${options.verifiedBots.takenAt}; each source's URL, date and
# mirror are recorded there). Refresh: npm run ops -- verified-bots update, then vcl upload.
${aclBlocks}
`;
  const bytes = new TextEncoder().encode(content).length;
  if (bytes > MAX_SNIPPET_BYTES)
    throw new VclValidationError(
      `crawler ACLs: ${bytes} bytes, over Fastly's ${MAX_SNIPPET_BYTES}-byte snippet limit`,
    );
  return content;
}
