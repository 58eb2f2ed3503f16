/**
 * verified-bots update | show: refresh the committed crawler range snapshot
 * (scripts/vcl/verified-bots.json) from the operators' published URLs it names. The snapshot is
 * a local file: the plan is its unified diff, `--dry-run` stops there, otherwise the file is
 * written and an audit line recorded. `vcl upload` then ships the new ACLs (a new version, as
 * for any snippet change).
 */
import { CRAWLER_NAMES } from '@session-scorer/core';
import { generateSnippets } from '../../vcl/generate.js';
import { VclValidationError } from '../../vcl/options.js';
import {
  aggregatedRanges,
  formatSnapshot,
  isComplete,
  parsePublishedRanges,
  SnapshotError,
  validateSnapshot,
  type RangeSource,
  type VerifiedBotsSnapshot,
} from '../../vcl/verified-bots.js';
import { activeVersion, getSnippet } from '../fastly-api.js';
import { OpsError, type OpsContext } from '../context.js';
import { unifiedDiff } from '../plan.js';
import type { Cidr } from '../../vcl/cidr.js';

export const DEFAULT_SNAPSHOT_PATH = 'scripts/vcl/verified-bots.json';
const CRAWLERS_SNIPPET = 'session-scorer-crawlers';
/** A published file larger than this is not a range list. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

function readSnapshot(
  ctx: OpsContext,
  path: string,
): { text: string; snapshot: VerifiedBotsSnapshot } {
  let text: string;
  try {
    text = ctx.readFile(path);
  } catch (error) {
    throw new OpsError(
      `cannot read the ` +
        `snapshot ${path}: ${error instanceof Error ? error.message : String(error)} (run from ` +
        `the repository root, or pass --snapshot PATH)`,
    );
  }
  try {
    return { text, snapshot: validateSnapshot(JSON.parse(text)) };
  } catch (error) {
    throw new OpsError(
      `${path}: ` +
        (error instanceof SnapshotError
          ? error.message
          : `not JSON (${error instanceof Error ? error.message : String(error)})`),
    );
  }
}

/** Where a source is read: its own URL, or the same host and path below --mirror. */
function sourceUrl(url: string, mirror: string | undefined): string {
  if (!mirror) return url;
  const { host, pathname, search } = new URL(url);
  return `${mirror.replace(/\/+$/, '')}/${host}${pathname}${search}`;
}

function mirrorProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `--mirror: ${JSON.stringify(text)} is not a URL`;
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return url.protocol === 'https:' || (url.protocol === 'http:' && loopback)
    ? null
    : `--mirror: ${url.protocol}//${url.host} is neither https nor a loopback address`;
}

async function fetchSource(ctx: OpsContext, url: string): Promise<string> {
  let response: Response;
  try {
    response = await ctx.fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'follow',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new Error(`no response (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_SOURCE_BYTES)
    throw new Error(`${text.length} bytes, more than a range list (${MAX_SOURCE_BYTES})`);
  return text;
}

export async function verifiedBotsUpdate(ctx: OpsContext): Promise<void> {
  const path = ctx.options.get('snapshot') ?? DEFAULT_SNAPSHOT_PATH;
  const mirror = ctx.options.get('mirror');
  if (mirror !== undefined) {
    const problem = mirrorProblem(mirror);
    if (problem) throw new OpsError(problem);
  }
  const allowMissing = ctx.options.has('allow-missing');
  const allowShrink = ctx.options.has('allow-shrink');
  const { text: before, snapshot: old } = readSnapshot(ctx, path);
  const retrievedAt = new Date(ctx.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');

  // Every source of every crawler, read before anything is decided: one failure refuses the
  // whole update (a partial refresh would silently call a crawler's other ranges spoofed).
  const failures: string[] = [];
  const next: VerifiedBotsSnapshot = {
    format: old.format,
    takenAt: retrievedAt.slice(0, 10),
    crawlers: {},
  };
  const summary: string[] = [];
  for (const name of CRAWLER_NAMES) {
    const sources: RangeSource[] = [];
    const cidrs: Cidr[] = [];
    for (const source of old.crawlers[name]!.sources) {
      const from = sourceUrl(source.url, mirror);
      try {
        const parsed = parsePublishedRanges(await fetchSource(ctx, from), source.url);
        cidrs.push(...parsed.cidrs);
        sources.push({
          url: source.url,
          ...(parsed.published ? { published: parsed.published } : {}),
          retrievedAt,
          ...(mirror ? { via: { mirror: from } } : {}),
          prefixes: parsed.cidrs.length,
        });
      } catch (error) {
        const why =
          error instanceof SnapshotError
            ? error.message.replace(`${source.url}: `, '')
            : error instanceof Error
              ? error.message
              : String(error);
        failures.push(`${name}: ${from}: ${why}`);
        sources.push({
          url: source.url,
          missing: `not read on ${retrievedAt.slice(0, 10)}: ${why}`,
        });
      }
    }
    const ranges = aggregatedRanges(cidrs);
    next.crawlers[name] = { sources, ranges };
    const was = old.crawlers[name]!.ranges;
    const added = ranges.filter((r) => !was.includes(r)).length;
    const removed = was.filter((r) => !ranges.includes(r)).length;
    summary.push(
      `  ${name.padEnd(15)} ${String(was.length).padStart(4)} ` +
        `→ ${String(ranges.length).padStart(4)} ranges (+${added} ` +
        `−${removed})` +
        (isComplete(next.crawlers[name]!)
          ? ''
          : '  INCOMPLETE: claims from outside these ranges will not be called spoofed'),
    );
    if (!allowShrink && ranges.length < was.length / 2)
      failures.push(
        `${name}: ${was.length} → ${ranges.length} ranges, less than half (pass --allow-shrink ` +
          `if the operator really withdrew them)`,
      );
  }
  if (
    failures.length > 0 &&
    !(allowMissing && failures.every((f) => !f.includes('less than half')))
  ) {
    throw new OpsError(
      `refused, ${path} was not changed:\n  ${failures.join('\n  ')}` +
        (allowMissing ? '' : '\n(--allow-missing records unreadable sources as missing instead)'),
    );
  }
  let checked: VerifiedBotsSnapshot;
  try {
    checked = validateSnapshot(JSON.parse(formatSnapshot(next)));
    // The ACLs must still fit a snippet and lint clean (generation checks size; lint is vcl upload's).
    generateSnippets({ verifiedBots: checked });
  } catch (error) {
    if (error instanceof SnapshotError || error instanceof VclValidationError)
      throw new OpsError(`refused, ${path} was not changed: ${error.message}`);
    throw error;
  }
  const after = formatSnapshot(checked);
  ctx.out(
    `sources read ${mirror ? `through ${mirror}` : "from the operators' URLs"}:\n${summary.join('\n')}`,
  );
  // The published creationTime and retrieval time change on every read: with no range or source
  // change, the committed file (and the deployed VCL) stay as they are.
  const rangesChanged = CRAWLER_NAMES.some(
    (name) =>
      JSON.stringify(old.crawlers[name]!.ranges) !==
        JSON.stringify(checked.crawlers[name]!.ranges) ||
      isComplete(old.crawlers[name]!) !== isComplete(checked.crawlers[name]!),
  );
  const diff = rangesChanged ? unifiedDiff(before, after, [path, `${path} (new)`]) : '';
  const result = await ctx.applyLocal(
    'verified-bots update',
    { title: `write ${path} (snapshot taken ${checked.takenAt})`, path, content: after, diff },
    {
      target: { snapshot: path, ...(mirror ? { mirror } : {}) },
      before: {
        taken_at: old.takenAt,
        ranges: Object.fromEntries(CRAWLER_NAMES.map((n) => [n, old.crawlers[n]!.ranges.length])),
      },
      after: {
        taken_at: checked.takenAt,
        ranges: Object.fromEntries(
          CRAWLER_NAMES.map((n) => [n, checked.crawlers[n]!.ranges.length]),
        ),
        missing: failures,
      },
    },
  );
  await reportDeployed(ctx);
  if (result.applied)
    ctx.out(
      'next: review and commit the file, then `npm run ops -- vcl upload` ships the new ACLs ' +
        '(add --activate, or activate the validated version later)',
    );
}

/** The snapshot the active version's crawler ACLs came from, when a service is configured. */
async function reportDeployed(ctx: OpsContext): Promise<void> {
  let serviceId: string;
  try {
    serviceId = ctx.serviceId();
  } catch {
    return;
  }
  const active = await activeVersion(ctx.api, serviceId);
  const snippet = await getSnippet(ctx.api, serviceId, active, CRAWLERS_SNIPPET);
  const taken = /snapshot taken (\d{4}-\d{2}-\d{2})/.exec(snippet?.content ?? '')?.[1];
  ctx.out(
    `deployed: the active version ${active} ` +
      (snippet
        ? `carries the crawler ACLs of the snapshot taken ${taken ?? '(unknown)'}`
        : 'has no crawler ACLs yet'),
  );
}

export async function verifiedBotsShow(ctx: OpsContext): Promise<void> {
  const path = ctx.options.get('snapshot') ?? DEFAULT_SNAPSHOT_PATH;
  const { snapshot } = readSnapshot(ctx, path);
  ctx.out(`snapshot ${path}, taken ${snapshot.takenAt}:`);
  for (const name of CRAWLER_NAMES) {
    const crawler = snapshot.crawlers[name]!;
    const v6 = crawler.ranges.filter((r) => r.includes(':')).length;
    ctx.out(
      `  ${name.padEnd(15)} ${String(crawler.ranges.length).padStart(4)} ranges ` +
        `(${crawler.ranges.length - v6} IPv4, ${v6} IPv6)${isComplete(crawler) ? '' : '  INCOMPLETE'}`,
    );
    for (const source of crawler.sources) {
      const via = source.via
        ? ' via ' +
          (source.via.repository
            ? `${source.via.repository}@${source.via.commit?.slice(0, 12)} ${source.via.path}`
            : source.via.mirror)
        : '';
      ctx.out(
        `      ${source.url}` +
          (source.missing
            ? ` — missing: ${source.missing}`
            : ` — read ${source.retrievedAt ?? '?'}${via}`),
      );
    }
  }
  await reportDeployed(ctx);
}
