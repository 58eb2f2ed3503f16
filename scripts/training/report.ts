/**
 * The evaluation report: one self-contained HTML file (inline SVG and CSS, no network) that says
 * what was evaluated (model, settings, labeller, inputs) and what came out, for a person to read.
 */
import { basename } from 'node:path';
import type { EvaluatedSession, EvaluationResult } from './evaluation.js';
import { curve, type CurvePoint, type Scored } from './metrics.js';
import type { Stratum } from './summary.js';

export interface HistogramBin {
  bin: string;
  bots: number;
  humans: number;
}

export interface ReportData {
  title: string;
  generatedAt: string;
  /** What was evaluated: model, settings, labeller, inputs… */
  setup: Record<string, string>;
  /** Said first and plainly (e.g. every session scored the same; the training window overlaps). */
  warnings: string[];
  summary: Record<string, string | number | null>;
  /** Further tables: a caption, column names, rows. */
  tables: { caption: string; columns: string[]; rows: (string | number | null)[][] }[];
  roc: { fpr: number; tpr: number }[];
  pr: { recall: number; precision: number }[];
  /** Share of bots among scored sessions (the precision of flagging everyone), or null. */
  prBaseline: number | null;
  /** Why there is no PR curve, when there is none. */
  prEmptyReason: string | null;
  histogram: HistogramBin[];
  thresholds: (CurvePoint & { requestsFlagged: number; requestsTotal: number })[];
  notes: string[];
}

const esc = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)} %`);
const cell = (v: string | number | null) => esc(v === null ? '—' : String(v));

/** The dashed line of a chance level (the bot share) across a chart, labelled at its right end. */
function baselineMark(
  baseline: number,
  sx: (x: number) => number,
  sy: (y: number) => number,
): string {
  return (
    `<line x1="${sx(0)}" y1="${sy(baseline)}" x2="${sx(1)}" y2="${sy(baseline)}" class="chance"/>` +
    `<text x="${sx(1) - 4}" y="${sy(baseline) - 5}" text-anchor="end" class="muted">` +
    `chance (bot share ${pct(baseline)})</text>`
  );
}

function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  points: { x: number; y: number }[],
  options: { diagonal?: boolean; baseline?: number | null; empty?: string | null; caption: string },
): string {
  const size = 300;
  const pad = 40;
  const sx = (x: number) => pad + x * size;
  const sy = (y: number) => pad + (1 - y) * size;
  const path = points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
    .join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<text x="${sx(t)}" y="${pad + size + 16}" text-anchor="middle">${t}</text><text ` +
        `x="${pad - 6}" y="${sy(t) + 4}" text-anchor="end">${t}</text><line x1="${sx(t)}" ` +
        `y1="${pad}" x2="${sx(t)}" y2="${pad + size}" class="grid"/><line x1="${pad}" ` +
        `y1="${sy(t)}" x2="${pad + size}" y2="${sy(t)}" class="grid"/>`,
    )
    .join('');
  // A curve of one point is a dot: draw it so it is seen.
  const dots =
    points.length <= 2
      ? points
          .map(
            (p) =>
              `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="4" class="dot"/>`,
          )
          .join('')
      : '';
  const body = options.empty
    ? `<text x="${pad + size / 2}" y="${pad + size / 2}" text-anchor="middle" class="empty">no curve to draw</text>`
    : `<path d="${path}" class="curve"/>${dots}`;
  return `<figure><svg viewBox="0 0 ${size + 2 * pad} ${size + 2 * pad + 10}" width="${size + 2 * pad}" \
role="img" aria-label="${esc(title)}">
${ticks}<rect x="${pad}" y="${pad}" width="${size}" height="${size}" class="frame"/>
${options.diagonal ? `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(1)}" y2="${sy(1)}" class="chance"/>` : ''}
${options.baseline != null ? baselineMark(options.baseline, sx, sy) : ''}
${body}
<text x="${pad + size / 2}" y="${pad + size + 34}" text-anchor="middle">${esc(xLabel)}</text>
<text x="12" y="${pad + size / 2}" text-anchor="middle" \
transform="rotate(-90 12 ${pad + size / 2})">${esc(yLabel)}</text>
</svg><figcaption><strong>${esc(title)}.</strong> ${esc(options.empty ?? options.caption)}</figcaption></figure>`;
}

/** Grouped bars on a log scale (counts differ by orders of magnitude), each labelled with its count. */
function histogram(data: HistogramBin[]): string {
  const width = 520;
  const height = 260;
  const pad = 44;
  const top = 30;
  const max = Math.max(1, ...data.flatMap((d) => [d.bots, d.humans]));
  const scale = (n: number) =>
    n <= 0 ? 0 : ((height - pad - top) * Math.log10(1 + n)) / Math.log10(1 + max);
  const group = (width - 2 * pad) / data.length;
  const barWidth = (group - 4) / 2;
  const decades = [1, 10, 100, 1000, 10000, 100000].filter((d) => d <= max);
  const axis = decades
    .map(
      (d) =>
        `<line x1="${pad}" y1="${height - pad - scale(d)}" x2="${width - pad}" ` +
        `y2="${height - pad - scale(d)}" class="grid"/><text x="${pad - 6}" ` +
        `y="${height - pad - scale(d) + 4}" text-anchor="end">${d.toLocaleString('en')}</text>`,
    )
    .join('');
  const bars = data
    .map((d, i) => {
      const x = pad + i * group + 2;
      const hh = scale(d.humans);
      const hb = scale(d.bots);
      const label = (n: number, cx: number, h: number, cls: string) =>
        n > 0
          ? `<text x="${cx}" y="${height - pad - h - 3}" text-anchor="middle" class="count ${cls}">${n}</text>`
          : '';
      return `<rect x="${x}" y="${height - pad - hh}" width="${barWidth}" height="${hh}" class="human">\
<title>humans, score ${esc(d.bin)}: ${d.humans}</title></rect>\
${label(d.humans, x + barWidth / 2, hh, 'human-text')}
<rect x="${x + barWidth}" y="${height - pad - hb}" width="${barWidth}" height="${hb}" class="bot">\
<title>bots, score ${esc(d.bin)}: ${d.bots}</title></rect>\
${label(d.bots, x + 1.5 * barWidth, hb, 'bot-text')}
<text x="${x + barWidth}" y="${height - pad + 14}" text-anchor="middle">${esc(d.bin)}</text>`;
    })
    .join('\n');
  return `<figure><svg viewBox="0 0 ${width} ${height}" width="${width}" role="img" \
aria-label="Session score histogram">
${axis}${bars}<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" class="frame"/>
<text x="${width / 2}" y="${height - 8}" text-anchor="middle">session score (bins of 10)</text>
<text x="12" y="${(height - pad + top) / 2}" text-anchor="middle" \
transform="rotate(-90 12 ${(height - pad + top) / 2})">sessions (log scale)</text>
<rect x="${width - 150}" y="8" width="10" height="10" class="human"/><text x="${width - 135}" y="17">humans</text>
<rect x="${width - 80}" y="8" width="10" height="10" class="bot"/><text x="${width - 65}" y="17">bots</text>
</svg><figcaption><strong>Session scores by label.</strong> A session's score is the highest of its \
requests' scores. The height is on a log scale, so a bin of 3 sessions stays visible beside one of \
3,000; each bar is labelled with its count.</figcaption></figure>`;
}

function table(caption: string, columns: string[], rows: (string | number | null)[][]): string {
  const header = columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((v, i) => (i === 0 ? `<th>${cell(v)}</th>` : `<td>${cell(v)}</td>`)).join('')}</tr>`,
    )
    .join('');
  return `<table><caption>${esc(caption)}</caption><tr>${header}</tr>${body}</table>`;
}

export function renderReport(data: ReportData): string {
  const kv = (record: Record<string, string | number | null>) =>
    Object.entries(record)
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td class="left">${cell(v)}</td></tr>`)
      .join('');
  const rows = data.thresholds
    .map(
      (t) =>
        `<tr><td>${t.threshold}</td><td>${t.flagged}</td><td>${t.flaggedBots}</td>` +
        `<td>${t.flaggedHumans}</td><td>${pct(t.precision)}</td><td>${pct(t.recall)}</td>` +
        `<td>${pct(t.fpr)}</td><td>${t.requestsFlagged} / ${t.requestsTotal}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(data.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#222;max-width:1150px}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}\
th{background:#f4f4f4;text-align:left}td.left{text-align:left}
caption{text-align:left;font-weight:600;padding:.3rem 0}
.warning{border:2px solid #c77700;background:#fff4e0;padding:.6rem 1rem;margin:1rem 0}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}figure{margin:0}\
figcaption{font-size:12px;color:#555;max-width:420px}
svg text{font-size:11px;fill:#333}.grid{stroke:#eee}.frame{fill:none;stroke:#999}\
.chance{stroke:#bbb;stroke-dasharray:4 4}.muted{fill:#888}
.curve{fill:none;stroke:#1f6feb;stroke-width:2}.dot{fill:#1f6feb}.empty{font-size:14px;fill:#888}\
.bot{fill:#d1495b}.human{fill:#2e86ab}
svg text.count{font-size:10px}svg text.bot-text{fill:#a3283a}svg text.human-text{fill:#1d5f7a}
</style></head><body>
<h1>${esc(data.title)}</h1>
<p>Generated ${esc(data.generatedAt)} by <code>npm run evaluate</code>. Bots are the positive class; \
a session is flagged when its score is at or above the threshold.</p>
${data.warnings.map((w) => `<p class="warning"><strong>Note:</strong> ${esc(w)}</p>`).join('\n')}
<h2>What was evaluated</h2><table>${kv(data.setup)}</table>
<h2>Summary</h2><table>${kv(data.summary)}</table>
${data.tables.map((t) => table(t.caption, t.columns, t.rows)).join('\n')}
<h2>Curves</h2><div class="charts">
${lineChart(
  'ROC curve (sessions, cookie returned)',
  'false positive rate',
  'true positive rate',
  data.roc.map((p) => ({ x: p.fpr, y: p.tpr })),
  {
    diagonal: true,
    caption: 'One point per distinct session score; the dashed diagonal is chance.',
  },
)}
${lineChart(
  'Precision–recall curve (sessions, cookie returned)',
  'recall',
  'precision',
  data.pr.map((p) => ({ x: p.recall, y: p.precision })),
  {
    baseline: data.prBaseline,
    empty: data.prEmptyReason,
    caption:
      data.pr.length === 1
        ? 'A single point: every session had the same score, so the only choice is flagging all ' +
          'of them (recall 1, precision = the bot share, on the dashed line).'
        : 'One point per distinct session score; the dashed line is the precision of flagging everyone.',
  },
)}
${histogram(data.histogram)}
</div>
<h2>Thresholds</h2>
<table><tr><th>threshold</th><th>sessions flagged</th><th>bots</th><th>humans</th><th>precision</th>\
<th>recall</th><th>false positive rate</th><th>requests flagged</th></tr>${rows}</table>
<h2>Notes</h2><ul>${data.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</body></html>
`;
}

/** Histogram of session scores in bins of ten (100 on its own: the top score). */
export function scoreHistogram(items: readonly Scored[]): HistogramBin[] {
  return Array.from({ length: 11 }, (_, i) => {
    const low = i * 10;
    const inBin = (s: number) => (i === 10 ? s === 100 : s >= low && s < low + 10);
    return {
      bin: i === 10 ? '100' : `${low}–${low + 9}`,
      bots: items.filter((x) => x.bot && inBin(x.score)).length,
      humans: items.filter((x) => !x.bot && inBin(x.score)).length,
    };
  });
}

/** Why a PR curve cannot be drawn, or null when it can. */
export function prEmptyReason(items: readonly Scored[]): string | null {
  const bots = items.filter((i) => i.bot).length;
  if (items.length === 0) return 'No precision–recall curve: no session was scored.';
  if (bots === 0)
    return 'No precision–recall curve: there are no bot sessions, so recall is undefined.';
  return null;
}

interface EvaluationRun {
  result: EvaluationResult;
  sessions: EvaluatedSession[];
  sessionCurve: (CurvePoint & { requestsFlagged: number; requestsTotal: number })[];
  items: Scored[];
}

export function reportFromEvaluation(
  run: EvaluationRun,
  meta: { inputs: string[]; modelPath: string; generatedAt: string },
): string {
  const r = run.result;
  const d = r.with_cookie_dropping;
  const items = run.items;
  const points = curve(items);
  const ci = (i: { low: number; high: number } | null) =>
    i ? ` (95 % CI ${i.low}–${i.high})` : '';
  const warnings = [...r.warnings];
  if (r.sessions === 0)
    warnings.unshift('No session was scored: every request was excluded or the inputs were empty.');
  else if (r.all_sessions_scored_equal)
    warnings.unshift(
      `With cookies returned (the headline), every scored session got the same score ` +
        `(${items[0]!.score}). The model and settings did not tell any session from another ` +
        `here: the ROC-AUC of 0.5 and the single-point curves below mean "no signal", not "measured chance".`,
    );
  const requestRow = (name: string, m: typeof r | typeof d) => [
    name,
    m.requests_at_fpr_1pct.threshold ??
      'none: every threshold flags more than 1 % of human sessions',
    `${pct(m.requests_at_fpr_1pct.bot_page_requests_flagged)} of ${m.requests_at_fpr_1pct.bot_page_requests}`,
    `${pct(m.requests_at_fpr_1pct.human_page_requests_flagged)} of ${m.requests_at_fpr_1pct.human_page_requests}`,
  ];
  return renderReport({
    title: `session-scorer evaluation: ${r.model}`,
    generatedAt: meta.generatedAt,
    setup: {
      model:
        `${r.model}${r.model_placeholder ? ' (placeholder: Layer 2 always 0)' : ''} ` +
        `from ${basename(meta.modelPath)}`,
      'settings overrides':
        JSON.stringify(r.settings) === '{}' ? 'none (the defaults)' : JSON.stringify(r.settings),
      labels:
        `User-Agent labeller ${r.labeller}` +
        (r.labels_file ? ', overridden per session by a labels file' : '') +
        `; ${r.relabelled_vs_v1.human_to_bot} scored sessions v1 called human are bots under it, ` +
        `${r.relabelled_vs_v1.bot_to_human} the other way`,
      inputs:
        meta.inputs.map((i) => basename(i)).join(', ') +
        (r.split !== null
          ? ` (the part of each file's time window after ${r.split})`
          : ' (whole files)'),
      'enforcement threshold': String(r.threshold),
      'confidence intervals':
        `${r.bootstrap.resamples} bootstrap resamples of the sessions, ` +
        `seed ${r.bootstrap.seed}, 2.5th–97.5th percentile`,
    },
    warnings,
    summary: {
      'sessions scored (bots / humans)':
        `${r.sessions} (${r.bot_sessions} ` +
        `/ ${r.human_sessions}); ${r.unscored_sessions} sessions had no scored request`,
      'distinct session scores': r.distinct_session_scores,
      'ROC-AUC, cookie returned': `${r.roc_auc ?? '—'}${ci(r.roc_auc_ci95)}`,
      'PR-AUC, cookie returned': r.pr_auc,
      'TPR at 1 % FPR, cookie returned': `${r.tpr_at_fpr_1pct ?? '—'}${ci(r.tpr_at_fpr_1pct_ci95)}`,
      [`human sessions flagged at ${r.threshold}, cookie returned`]: pct(r.human_fpr_at_threshold),
      'ROC-AUC, bots drop cookies': `${d.roc_auc ?? '—'}${ci(d.roc_auc_ci95)}`,
      'TPR at 1 % FPR, bots drop cookies': `${d.tpr_at_fpr_1pct ?? '—'}${ci(d.tpr_at_fpr_1pct_ci95)}`,
      [`human sessions flagged at ${r.threshold}, bots drop cookies`]: pct(
        d.human_fpr_at_threshold,
      ),
    },
    tables: [
      {
        caption: 'Page requests flagged at the threshold that flags at most 1 % of human sessions',
        columns: [
          'cookies',
          'threshold',
          'bot page requests flagged',
          'human page requests flagged',
        ],
        rows: [requestRow('returned', r), requestRow('bots drop', d)],
      },
      {
        caption: 'By session length (scored requests)',
        columns: [
          'stratum',
          'sessions (bots)',
          'ROC-AUC, returned',
          'ROC-AUC, bots drop',
          'TPR@1%FPR, bots drop',
          'bot page requests flagged, bots drop',
        ],
        rows: Object.entries(r.strata!).map(([k, v]) => {
          const vd = d.strata![k as Stratum];
          return [
            k,
            `${v.sessions} (${v.bot_sessions})`,
            v.roc_auc,
            vd.roc_auc,
            vd.tpr_at_fpr_1pct,
            pct(vd.requests_at_fpr_1pct.bot_page_requests_flagged),
          ];
        }),
      },
      {
        caption: 'By input file',
        columns: [
          'file',
          'sessions (bots)',
          'ROC-AUC, returned',
          'TPR@1%FPR, returned',
          'ROC-AUC, bots drop',
          'TPR@1%FPR, bots drop',
        ],
        rows: r.per_file.map((f) => [
          f.file,
          `${f.sessions} (${f.bot_sessions})`,
          `${f.roc_auc ?? '—'}${ci(f.roc_auc_ci95)}`,
          f.tpr_at_fpr_1pct,
          `${f.with_cookie_dropping.roc_auc ?? '—'}${ci(f.with_cookie_dropping.roc_auc_ci95)}`,
          f.with_cookie_dropping.tpr_at_fpr_1pct,
        ]),
      },
      {
        caption: 'Per reason: ROC-AUC of "the reason fired in the session" (cookie returned)',
        columns: ['reason', 'AUC'],
        rows: Object.entries(r.per_reason_auc),
      },
    ],
    roc: [
      { fpr: 0, tpr: 0 },
      ...points.map((p) => ({ fpr: p.fpr, tpr: p.tpr })),
      { fpr: 1, tpr: 1 },
    ],
    pr: points
      .filter((p) => p.precision !== null)
      .map((p) => ({ recall: p.recall, precision: p.precision! })),
    prBaseline: r.sessions > 0 && r.bot_sessions > 0 ? r.bot_sessions / r.sessions : null,
    prEmptyReason: prEmptyReason(items),
    histogram: scoreHistogram(items),
    thresholds: run.sessionCurve,
    notes: [
      `Labels come from the User-Agent (labeller ${r.labeller}); bots sending a browser's ` +
        `User-Agent remain in the human class, so precision is understated and some "false positives" are bots.`,
      'Cookie returned: every client sends back the cookie it was given (behaviour alone). Bots ' +
        'drop cookies: sessions labelled bot never return it and are seen through the ' +
        'per-client new-session count, as the edge counter would (60 s window).',
      'Requests the default VCL exclusion regex skips (static assets) are not scored, as at the ' +
        'edge. A session\u2019s score is the highest of its requests\u2019 scores. Page ' +
        'requests are scored requests the classifier calls page views.',
    ],
  });
}
