/**
 * bench:detection's aggregation, pure: what each client's page requests scored → one row per
 * client (share flagged, first flagged request, score sequence, reasons), the targets
 * judged on those rows, and the text table. No I/O, so a unit test drives it with made-up runs.
 */

/** Who the client stands for: the targets differ. */
export type ClientKind = 'browser-human' | 'browser-bot' | 'scripted';

/** One page request as the origin saw it: the score the edge forwarded (null = unscored). */
export interface PageScore {
  path: string;
  score: number | null;
  reasons: string[];
}

export interface ClientRun {
  name: string;
  kind: ClientKind;
  /** The headers of its first page request as the edge received them (name, value), if it made one. */
  firstHeaders?: [string, string][];
  /** 'skipped': not installed (notice says what is missing); 'failed': it ran and failed. */
  outcome: 'ran' | 'skipped' | 'failed';
  notice?: string;
  pages: PageScore[];
  /** Time between consecutive page requests as the edge received them, ms. */
  gapsMs: number[];
}

export interface ClientRow {
  name: string;
  kind: ClientKind;
  outcome: ClientRun['outcome'];
  notice?: string;
  pageRequests: number;
  /** Page requests the edge scored (the rest were served unscored). */
  scored: number;
  flagged: number;
  /** flagged / pageRequests; null when there were none. */
  flaggedShare: number | null;
  /** 1-based index of the first page request with score ≥ threshold; null = never. */
  firstFlagged: number | null;
  scores: (number | null)[];
  /** Each reason code seen, in the order first seen. */
  reasons: string[];
  /** Median gap between page requests, ms, rounded; null with fewer than two requests. */
  medianGapMs: number | null;
}

export function summarizeClient(run: ClientRun, threshold: number): ClientRow {
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 100)
    throw new Error(`summarizeClient: threshold must be an integer 0..100, got ${threshold}`);
  const isFlagged = (page: PageScore) => page.score !== null && page.score >= threshold;
  const flaggedAt = run.pages.findIndex(isFlagged);
  const reasons: string[] = [];
  for (const page of run.pages)
    for (const reason of page.reasons) if (!reasons.includes(reason)) reasons.push(reason);
  const flagged = run.pages.filter(isFlagged).length;
  return {
    name: run.name,
    kind: run.kind,
    outcome: run.outcome,
    ...(run.notice === undefined ? {} : { notice: run.notice }),
    pageRequests: run.pages.length,
    scored: run.pages.filter((page) => page.score !== null).length,
    flagged,
    flaggedShare: run.pages.length === 0 ? null : flagged / run.pages.length,
    firstFlagged: flaggedAt < 0 ? null : flaggedAt + 1,
    scores: run.pages.map((page) => page.score),
    reasons,
    medianGapMs: median(run.gapsMs),
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return Math.round(
    sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2,
  );
}

/** The fast-browsing rules of docs/scoring.md (Layer 1's pace rules). */
export const FAST_BROWSING_REASONS: readonly string[] = [
  'fast_browsing',
  'dwell_fast',
  'dwell_regular',
];

/**
 * The bench's own reading of a request, kept apart from the scorer's rules on purpose (it decides
 * which target applies, so it must not be the scorer grading itself): the User-Agent claims a
 * browser (Mozilla/5.0 …) yet the request lacks what every current browser sends on a navigation:
 * a real Accept-Language (not `*`), Sec-Fetch-Mode, and an Accept naming text/html.
 */
export function contradictsClaimedBrowser(headers: [string, string][]): boolean {
  const get = (name: string) =>
    headers.find(([key]) => key.toLowerCase() === name)?.[1]?.trim() ?? '';
  if (!get('user-agent').startsWith('Mozilla/5.0')) return false;
  const language = get('accept-language');
  return (
    language === '' ||
    language === '*' ||
    get('sec-fetch-mode') === '' ||
    !get('accept').toLowerCase().includes('text/html')
  );
}

export interface TargetCheck {
  target: string;
  client: string;
  met: boolean;
}

/**
 * The targets, judged per client that ran: a scripted client flagged by its second page
 * request, by its first when its headers contradict the browser it claims
 * (contradictsClaimedBrowser); the human-paced browser never flagged; the bot-paced browser
 * flagged with a fast-browsing reason among those of its flagged requests.
 */
export function checkTargets(
  rows: ClientRow[],
  runs: ClientRun[],
  threshold: number,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const row of rows) {
    if (row.outcome !== 'ran') continue;
    if (row.kind === 'scripted') {
      const run = runs.find((candidate) => candidate.name === row.name);
      const byFirst =
        run?.firstHeaders !== undefined && contradictsClaimedBrowser(run.firstHeaders);
      const by = byFirst ? 1 : 2;
      checks.push({
        target: byFirst
          ? 'flagged by its 1st page request (its headers contradict the browser it claims)'
          : 'flagged by its 2nd page request',
        client: row.name,
        met: row.firstFlagged !== null && row.firstFlagged <= by,
      });
    } else if (row.kind === 'browser-human') {
      checks.push({
        target: 'never flagged',
        client: row.name,
        met: row.firstFlagged === null && row.pageRequests > 0,
      });
    } else {
      const run = runs.find((candidate) => candidate.name === row.name);
      const flaggedFast = (run?.pages ?? []).some(
        (page) =>
          page.score !== null &&
          page.score >= threshold &&
          page.reasons.some((reason) => FAST_BROWSING_REASONS.includes(reason)),
      );
      checks.push({
        target: 'flagged by the fast-browsing rules',
        client: row.name,
        met: flaggedFast,
      });
    }
  }
  return checks;
}

const percent = (share: number | null) => (share === null ? '-' : `${Math.round(share * 100)}%`);

/**
 * The human-readable table: one line per client (gap = median between page requests), then its
 * reasons; skipped clients with notices.
 */
export function formatTable(rows: ClientRow[], threshold: number): string {
  const header = ['client', 'pages', 'gap ms', 'scored', 'flagged', 'first flagged', 'scores'];
  const body = rows.map((row) =>
    row.outcome === 'ran'
      ? [
          row.name,
          String(row.pageRequests),
          row.medianGapMs === null ? '-' : String(row.medianGapMs),
          String(row.scored),
          `${row.flagged} (${percent(row.flaggedShare)})`,
          row.firstFlagged === null ? 'never' : `#${row.firstFlagged}`,
          row.scores.map((score) => (score === null ? '-' : String(score))).join(' '),
        ]
      : [row.name, '-', '-', '-', '-', '-', `${row.outcome}: ${row.notice ?? ''}`],
  );
  const widths = header.map((title, column) =>
    Math.max(
      title.length,
      ...body
        .filter((_, i) => rows[i]!.outcome === 'ran' || column < 6)
        .map((cells) => cells[column]!.length),
    ),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const lines = [`flagged = score ≥ ${threshold}`, line(header)];
  for (const [i, cells] of body.entries()) {
    lines.push(line(cells));
    const row = rows[i]!;
    if (row.outcome === 'ran')
      lines.push(
        `${''.padEnd(widths[0]!)}  reasons: ${row.reasons.length ? row.reasons.join(', ') : '(none)'}`,
      );
  }
  return lines.join('\n');
}
