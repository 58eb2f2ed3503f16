/**
 * Reading labelled sessions from log files, shared by train, evaluate and tune: parse, optional
 * time-based split (per file), sessionize (per file), label.
 */
import { readFileSync } from 'node:fs';
import { labelByUserAgent, type Label, type Labeller } from './labels.js';
import { parseLogLine } from './logparse.js';
import { fileSize, readLineBatches } from './read-lines.js';
import { Sessionizer, type LogSession } from './sessionize.js';

export interface InputCounts {
  lines: number;
  malformed: number;
  outsideSplit: number;
  sessions: number;
  botSessions: number;
  humanSessions: number;
  requestsBeyondCap: number;
}

/** Labels file: lines "<ip>\t<user agent>\t<bot|human>" or "sid:<hash>\t<bot|human>". */
export function readLabels(path: string): Map<string, Label> {
  const labels = new Map<string, Label>();
  for (const [lineNo, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf('\t');
    const label = line.slice(cut + 1).trim();
    if (cut < 0 || (label !== 'bot' && label !== 'human'))
      throw new Error(`${path}:${lineNo + 1}: expected "<session key>\\t<bot|human>"`);
    const key = line.slice(0, cut);
    labels.set(key.startsWith('sid:') ? key : `ip:${key.replace('\t', '\n')}`, label);
  }
  return labels;
}

/**
 * For each input, the time at `fraction` of that file's own time window (one extra pass over the
 * files). Per file, because the inputs are usually different sites and years: one window over
 * all of them would put whole files on one side of the split.
 */
export async function splitTimes(inputs: string[], fraction: number): Promise<number[]> {
  const times: number[] = [];
  for (const input of inputs) {
    let start = Infinity;
    let end = -Infinity;
    for await (const batch of readLineBatches(input)) {
      for (const line of batch) {
        const record = parseLogLine(line);
        if (record) {
          start = Math.min(start, record.timeMs);
          end = Math.max(end, record.timeMs);
        }
      }
    }
    times.push(start + fraction * (end - start));
  }
  return times;
}

export interface ReadOptions {
  inputs: string[];
  labels?: Map<string, Label>;
  /**
   * Labels sessions the labels file does not name, from their User-Agent (default: v1, what the
   * shipped model was trained under).
   */
  labeller?: Labeller;
  /**
   * Keep only records before (`before`) or at/after (`after`) the time given for their input (same
   * order as `inputs`).
   */
  split?: { timesMs: readonly number[]; keep: 'before' | 'after' };
  /** `input`: the index in `inputs` of the file the session came from. */
  onSession: (session: LogSession, label: Label, input: number) => void;
}

/** What one input contributed (after the split): for the model's provenance. */
export interface InputWindow {
  lines: number;
  records: number;
  windowStartMs: number;
  windowEndMs: number;
}

export async function readSessions(options: ReadOptions): Promise<
  InputCounts & {
    windowStartMs: number;
    windowEndMs: number;
    peakOpen: number;
    perInput: InputWindow[];
  }
> {
  const counts: InputCounts = {
    lines: 0,
    malformed: 0,
    outsideSplit: 0,
    sessions: 0,
    botSessions: 0,
    humanSessions: 0,
    requestsBeyondCap: 0,
  };
  let windowStartMs = Infinity;
  let windowEndMs = -Infinity;
  let currentInput = 0;
  const sessionizer = new Sessionizer((session) => {
    counts.sessions++;
    counts.requestsBeyondCap += session.dropped;
    const label =
      options.labels?.get(session.key) ?? (options.labeller ?? labelByUserAgent)(session.userAgent);
    label === 'bot' ? counts.botSessions++ : counts.humanSessions++;
    options.onSession(session, label, currentInput);
  });
  const tty = process.stderr.isTTY;
  const totalBytes = options.inputs.reduce((sum, path) => sum + fileSize(path), 0);
  let readBytes = 0;
  let linesBefore = 0;
  let lastDraw = 0;
  const draw = (force = false) => {
    if (!tty || (!force && Date.now() - lastDraw < 100)) return;
    lastDraw = Date.now();
    const fraction = totalBytes > 0 ? Math.min(1, readBytes / totalBytes) : 1;
    process.stderr.write(
      `\r[${'#'.repeat(Math.round(fraction * 30)).padEnd(30, '.')}] ` +
        `${(fraction * 100).toFixed(0).padStart(3)}%  ${counts.lines.toLocaleString('en')} ` +
        `lines, ${counts.sessions.toLocaleString('en')} sessions`,
    );
  };
  const perInput: InputWindow[] = [];
  const keepBefore = options.split?.keep === 'before';
  for (const [i, input] of options.inputs.entries()) {
    currentInput = i;
    const window: InputWindow = {
      lines: 0,
      records: 0,
      windowStartMs: Infinity,
      windowEndMs: -Infinity,
    };
    const splitMs = options.split ? options.split.timesMs[i] : undefined;
    if (options.split && splitMs === undefined)
      throw new Error(`no split time for input ${i} (${input})`);
    // A batch of lines per chunk read, processed synchronously (read-lines.ts says why).
    for await (const batch of readLineBatches(input, (bytes) => (readBytes += bytes))) {
      for (const line of batch) {
        window.lines++;
        const record = parseLogLine(line);
        if (record === null) {
          if (line.trim() !== '') counts.malformed++;
          continue;
        }
        if (splitMs !== undefined && keepBefore !== record.timeMs < splitMs) {
          counts.outsideSplit++;
          continue;
        }
        window.records++;
        if (record.timeMs < window.windowStartMs) window.windowStartMs = record.timeMs;
        if (record.timeMs > window.windowEndMs) window.windowEndMs = record.timeMs;
        sessionizer.add(record);
      }
      counts.lines = linesBefore + window.lines;
      draw();
    }
    sessionizer.flush(); // separate logs: no session spans two files
    linesBefore += window.lines;
    counts.lines = linesBefore;
    windowStartMs = Math.min(windowStartMs, window.windowStartMs);
    windowEndMs = Math.max(windowEndMs, window.windowEndMs);
    perInput.push(window);
  }
  draw(true);
  if (tty) process.stderr.write('\n');
  return { ...counts, windowStartMs, windowEndMs, peakOpen: sessionizer.peakOpen, perInput };
}
