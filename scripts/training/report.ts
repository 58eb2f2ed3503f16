/** The evaluation report: one self-contained HTML file (inline SVG and CSS, no network). */
import type { CurvePoint } from './metrics.js';

export interface ReportData {
  title: string;
  generatedAt: string;
  summary: Record<string, string | number | null>;
  roc: { fpr: number; tpr: number }[];
  pr: { recall: number; precision: number }[];
  histogram: { bin: string; bots: number; humans: number }[];
  thresholds: (CurvePoint & { requestsFlagged: number; requestsTotal: number })[];
  notes: string[];
}

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)} %`);

function lineChart(title: string, xLabel: string, yLabel: string, points: { x: number; y: number }[], diagonal: boolean): string {
  const size = 300;
  const pad = 40;
  const sx = (x: number) => pad + x * size;
  const sy = (y: number) => pad + (1 - y) * size;
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => `<text x="${sx(t)}" y="${pad + size + 16}" text-anchor="middle">${t}</text><text x="${pad - 6}" y="${sy(t) + 4}" text-anchor="end">${t}</text><line x1="${sx(t)}" y1="${pad}" x2="${sx(t)}" y2="${pad + size}" class="grid"/><line x1="${pad}" y1="${sy(t)}" x2="${pad + size}" y2="${sy(t)}" class="grid"/>`)
    .join('');
  return `<figure><svg viewBox="0 0 ${size + 2 * pad} ${size + 2 * pad + 10}" width="${size + 2 * pad}" role="img" aria-label="${esc(title)}">
${ticks}<rect x="${pad}" y="${pad}" width="${size}" height="${size}" class="frame"/>
${diagonal ? `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(1)}" y2="${sy(1)}" class="chance"/>` : ''}
<path d="${path}" class="curve"/>
<text x="${pad + size / 2}" y="${pad + size + 34}" text-anchor="middle">${esc(xLabel)}</text>
<text x="12" y="${pad + size / 2}" text-anchor="middle" transform="rotate(-90 12 ${pad + size / 2})">${esc(yLabel)}</text>
</svg><figcaption>${esc(title)}</figcaption></figure>`;
}

function histogram(data: ReportData['histogram']): string {
  const width = 420;
  const height = 220;
  const pad = 40;
  const max = Math.max(1, ...data.flatMap((d) => [d.bots, d.humans]));
  const barWidth = (width - 2 * pad) / data.length / 2;
  const bars = data
    .map((d, i) => {
      const x = pad + i * barWidth * 2;
      const hb = ((height - 2 * pad) * d.bots) / max;
      const hh = ((height - 2 * pad) * d.humans) / max;
      return `<rect x="${x}" y="${height - pad - hh}" width="${barWidth - 1}" height="${hh}" class="human"><title>humans ${esc(d.bin)}: ${d.humans}</title></rect>
<rect x="${x + barWidth}" y="${height - pad - hb}" width="${barWidth - 1}" height="${hb}" class="bot"><title>bots ${esc(d.bin)}: ${d.bots}</title></rect>
<text x="${x + barWidth}" y="${height - pad + 14}" text-anchor="middle">${esc(d.bin.split('–')[0]!)}</text>`;
    })
    .join('\n');
  return `<figure><svg viewBox="0 0 ${width} ${height}" width="${width}" role="img" aria-label="Session score histogram">
${bars}<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" class="frame"/>
<text x="${width / 2}" y="${height - 6}" text-anchor="middle">session score</text>
<rect x="${width - 150}" y="8" width="10" height="10" class="human"/><text x="${width - 135}" y="17">humans</text>
<rect x="${width - 80}" y="8" width="10" height="10" class="bot"/><text x="${width - 65}" y="17">bots</text>
</svg><figcaption>Session scores (max over the session's scored requests), by label. Bars are counts; hover for values.</figcaption></figure>`;
}

export function renderReport(data: ReportData): string {
  const summary = Object.entries(data.summary)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v === null ? '—' : String(v))}</td></tr>`)
    .join('');
  const rows = data.thresholds
    .map((t) => `<tr><td>${t.threshold}</td><td>${t.flagged}</td><td>${t.flaggedBots}</td><td>${t.flaggedHumans}</td><td>${pct(t.precision)}</td><td>${pct(t.recall)}</td><td>${pct(t.fpr)}</td><td>${t.requestsFlagged} / ${t.requestsTotal}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(data.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}th{background:#f4f4f4;text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}figure{margin:0}figcaption{font-size:12px;color:#555;max-width:420px}
svg text{font-size:11px;fill:#333}.grid{stroke:#eee}.frame{fill:none;stroke:#999}.chance{stroke:#bbb;stroke-dasharray:4 4}
.curve{fill:none;stroke:#1f6feb;stroke-width:2}.bot{fill:#d1495b}.human{fill:#2e86ab}
</style></head><body>
<h1>${esc(data.title)}</h1>
<p>Generated ${esc(data.generatedAt)} by <code>npm run evaluate</code>. Bots are the positive class; a session is flagged when its score is at or above the threshold.</p>
<h2>Summary</h2><table>${summary}</table>
<h2>Curves</h2><div class="charts">
${lineChart('ROC curve (sessions)', 'false positive rate', 'true positive rate', data.roc.map((p) => ({ x: p.fpr, y: p.tpr })), true)}
${lineChart('Precision–recall curve (sessions)', 'recall', 'precision', data.pr.map((p) => ({ x: p.recall, y: p.precision })), false)}
${histogram(data.histogram)}
</div>
<h2>Thresholds</h2>
<table><tr><th>threshold</th><th>sessions flagged</th><th>bots</th><th>humans</th><th>precision</th><th>recall</th><th>false positive rate</th><th>requests flagged</th></tr>${rows}</table>
<h2>Notes</h2><ul>${data.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</body></html>
`;
}
