/**
 * The committed snapshot of declared crawlers' published IP ranges (scripts/vcl/verified-bots.json):
 * its shape, its validation, parsing of the operators' published JSON files, and the canonical
 * text that `npm run ops -- verified-bots update` writes and diffs. Pure: no I/O.
 *
 * One entry per crawler of scorer-core's CRAWLERS (the names and User-Agent tokens live there);
 * each lists where its ranges came from (the operator's URL, the file's own creationTime, and the
 * public mirror it was read from when the snapshot was not fetched from the URL itself).
 */
import { CRAWLER_NAMES } from '@session-scorer/core';
import { aggregate, CidrError, formatCidr, parseCidr, type Cidr } from './cidr.js';

export const SNAPSHOT_FORMAT = 'session-scorer/verified-bots@1';

export interface RangeSource {
  /** The operator's published URL. */
  url: string;
  /** The published file's creationTime, when it has one. */
  published?: string;
  /** When these ranges were read (ISO 8601). */
  retrievedAt?: string;
  /**
   * Where the file was read, when not from `url` itself: a public repository mirroring it (at a
   * commit), or the --mirror URL `verified-bots update` was given.
   */
  via?: {
    repository?: string;
    path?: string;
    commit?: string;
    committedAt?: string;
    mirror?: string;
    note?: string;
  };
  /** Prefixes the source listed. */
  prefixes?: number;
  /** Why this source holds no ranges in the snapshot (it was not available); the crawler is then incomplete. */
  missing?: string;
}

export interface CrawlerRanges {
  sources: RangeSource[];
  /** Aggregated CIDRs (IPv4 then IPv6). */
  ranges: string[];
}

export interface VerifiedBotsSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  /** When the snapshot was assembled (ISO date); each source says when its ranges were read. */
  takenAt: string;
  crawlers: Record<string, CrawlerRanges>;
}

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/** Every source of a crawler holds ranges: only then may a claim from elsewhere be called spoofed. */
export const isComplete = (crawler: CrawlerRanges) =>
  crawler.sources.every((s) => s.missing === undefined);

/** Validates a parsed snapshot document; throws SnapshotError naming the field. Returns it typed. */
export function validateSnapshot(document: unknown): VerifiedBotsSnapshot {
  const doc = document as Partial<VerifiedBotsSnapshot> | null;
  if (!doc || typeof doc !== 'object')
    throw new SnapshotError('verified-bots snapshot: expected a JSON object');
  if (doc.format !== SNAPSHOT_FORMAT)
    throw new SnapshotError(
      `verified-bots snapshot: "format" must be ${JSON.stringify(SNAPSHOT_FORMAT)}, got ${JSON.stringify(doc.format)}`,
    );
  if (typeof doc.takenAt !== 'string' || Number.isNaN(Date.parse(doc.takenAt)))
    throw new SnapshotError(
      `verified-bots snapshot: "takenAt" must be an ISO date, got ${JSON.stringify(doc.takenAt)}`,
    );
  if (!doc.crawlers || typeof doc.crawlers !== 'object')
    throw new SnapshotError('verified-bots snapshot: "crawlers" must be an object');
  const names = Object.keys(doc.crawlers);
  for (const name of names)
    if (!CRAWLER_NAMES.includes(name))
      throw new SnapshotError(
        `verified-bots snapshot: crawlers.${name} is not a crawler scorer-core knows (${CRAWLER_NAMES.join(', ')})`,
      );
  for (const name of CRAWLER_NAMES) {
    const crawler = doc.crawlers[name];
    const at = `verified-bots snapshot: crawlers.${name}`;
    if (!crawler || typeof crawler !== 'object') throw new SnapshotError(`${at} is missing`);
    if (!Array.isArray(crawler.sources) || crawler.sources.length === 0)
      throw new SnapshotError(`${at}.sources must list at least one source`);
    crawler.sources.forEach((source, i) => {
      if (!source || typeof source.url !== 'string' || !/^https:\/\/[^\s/]+\/\S*$/.test(source.url))
        throw new SnapshotError(
          `${at}.sources[${i}].url must be an https URL, got ${JSON.stringify(source?.url)}`,
        );
      if (source.missing !== undefined && typeof source.missing !== 'string')
        throw new SnapshotError(`${at}.sources[${i}].missing must be a sentence`);
    });
    if (!Array.isArray(crawler.ranges))
      throw new SnapshotError(`${at}.ranges must be an array of CIDR strings`);
    crawler.ranges.forEach((range, i) => {
      try {
        parseCidr(range);
      } catch (error) {
        throw new SnapshotError(
          `${at}.ranges[${i}]: ${error instanceof CidrError ? error.message : String(error)}`,
        );
      }
    });
    if (crawler.ranges.length === 0 && isComplete(crawler))
      throw new SnapshotError(
        `${at}.ranges is empty although every source is present: every claim would be called spoofed`,
      );
  }
  return doc as VerifiedBotsSnapshot;
}

/**
 * The prefixes of one published file. The operators use one shape: `{ creationTime?, prefixes:
 * [{ ipv4Prefix } | { ipv6Prefix }] }` (Google, Bing, Apple, DuckDuckGo, OpenAI).
 */
export function parsePublishedRanges(
  text: string,
  url: string,
): { published?: string; cidrs: Cidr[] } {
  let document: { creationTime?: unknown; prefixes?: unknown };
  try {
    document = JSON.parse(text) as typeof document;
  } catch (error) {
    throw new SnapshotError(
      `${url}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!document || typeof document !== 'object' || !Array.isArray(document.prefixes))
    throw new SnapshotError(`${url}: expected an object with a "prefixes" array`);
  const cidrs = document.prefixes.map((entry: unknown, i: number) => {
    const { ipv4Prefix, ipv6Prefix } = (entry ?? {}) as {
      ipv4Prefix?: unknown;
      ipv6Prefix?: unknown;
    };
    const text =
      typeof ipv4Prefix === 'string'
        ? ipv4Prefix
        : typeof ipv6Prefix === 'string'
          ? ipv6Prefix
          : null;
    if (text === null)
      throw new SnapshotError(`${url}: prefixes[${i}] has neither ipv4Prefix nor ipv6Prefix`);
    try {
      return parseCidr(text);
    } catch (error) {
      throw new SnapshotError(
        `${url}: prefixes[${i}]: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  });
  if (cidrs.length === 0) throw new SnapshotError(`${url}: the "prefixes" array is empty`);
  return {
    ...(typeof document.creationTime === 'string'
      ? { published: document.creationTime.slice(0, 64) }
      : {}),
    cidrs,
  };
}

/** Aggregated canonical CIDR strings of several sources' prefixes. */
export const aggregatedRanges = (cidrs: readonly Cidr[]) => aggregate(cidrs).map(formatCidr);

/** The parsed CIDRs of a crawler's ranges, for the ACL. */
export const crawlerCidrs = (crawler: CrawlerRanges) => crawler.ranges.map(parseCidr);

/**
 * The canonical text of a snapshot: crawlers in CRAWLERS order, one range per line, so a refresh
 * diffs line by line. `npm run ops -- verified-bots update` writes exactly this.
 */
export function formatSnapshot(snapshot: VerifiedBotsSnapshot): string {
  const lines = [
    '{',
    `  "format": ${JSON.stringify(snapshot.format)},`,
    `  "takenAt": ${JSON.stringify(snapshot.takenAt)},`,
    '  "crawlers": {',
  ];
  CRAWLER_NAMES.forEach((name, i) => {
    const crawler = snapshot.crawlers[name]!;
    lines.push(`    ${JSON.stringify(name)}: {`);
    lines.push('      "sources": [');
    crawler.sources.forEach((source, j) =>
      lines.push(`        ${JSON.stringify(source)}${j < crawler.sources.length - 1 ? ',' : ''}`),
    );
    lines.push('      ],');
    if (crawler.ranges.length === 0) lines.push('      "ranges": []');
    else {
      lines.push('      "ranges": [');
      crawler.ranges.forEach((range, j) =>
        lines.push(`        ${JSON.stringify(range)}${j < crawler.ranges.length - 1 ? ',' : ''}`),
      );
      lines.push('      ]');
    }
    lines.push(`    }${i < CRAWLER_NAMES.length - 1 ? ',' : ''}`);
  });
  lines.push('  }', '}', '');
  return lines.join('\n');
}
