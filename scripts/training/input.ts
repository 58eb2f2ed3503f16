/**
 * Reading labelled sessions from log files, shared by train and evaluate: parse, optional
 * time-based split, sessionize (per file), label.
 */
import { readFileSync } from 'node:fs';
import { labelByUserAgent, type Label } from './labels.js';
import { parseLogLine } from './logparse.js';
import { fileSize, readLines } from './read-lines.js';
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
    if (cut < 0 || (label !== 'bot' && label !== 'human')) throw new Error(`${path}:${lineNo + 1}: expected "<session key>\\t<bot|human>"`);
    const key = line.slice(0, cut);
    labels.set(key.startsWith('sid:') ? key : `ip:${key.replace('\t', '\n')}`, label);
  }
  return labels;
}

/** The time at `fraction` of the inputs' time window (one extra pass over the files). */
export async function splitTime(inputs: string[], fraction: number): Promise<number> {
  let start = Infinity;
  let end = -Infinity;
  for (const input of inputs) {
    for await (const line of readLines(input)) {
      const record = parseLogLine(line);
      if (record) {
        start = Math.min(start, record.timeMs);
        end = Math.max(end, record.timeMs);
      }
    }
  }
  return start + fraction * (end - start);
}

export interface ReadOptions {
  inputs: string[];
  labels?: Map<string, Label>;
  /** Keep only records before (`before`) or at/after (`after`) this time. */
  split?: { timeMs: number; keep: 'before' | 'after' };
  onSession: (session: LogSession, label: Label) => void;
}

export async function readSessions(options: ReadOptions): Promise<InputCounts & { windowStartMs: number; windowEndMs: number; peakOpen: number }> {
  const counts: InputCounts = { lines: 0, malformed: 0, outsideSplit: 0, sessions: 0, botSessions: 0, humanSessions: 0, requestsBeyondCap: 0 };
  let windowStartMs = Infinity;
  let windowEndMs = -Infinity;
  const sessionizer = new Sessionizer((session) => {
    counts.sessions++;
    counts.requestsBeyondCap += session.dropped;
    const label = options.labels?.get(session.key) ?? labelByUserAgent(session.userAgent);
    label === 'bot' ? counts.botSessions++ : counts.humanSessions++;
    options.onSession(session, label);
  });
  const tty = process.stderr.isTTY;
  const totalBytes = options.inputs.reduce((sum, path) => sum + fileSize(path), 0);
  let readBytes = 0;
  let lastDraw = 0;
  const draw = (force = false) => {
    if (!tty || (!force && Date.now() - lastDraw < 100)) return;
    lastDraw = Date.now();
    const fraction = totalBytes > 0 ? Math.min(1, readBytes / totalBytes) : 1;
    process.stderr.write(`\r[${'#'.repeat(Math.round(fraction * 30)).padEnd(30, '.')}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${counts.lines.toLocaleString('en')} lines, ${counts.sessions.toLocaleString('en')} sessions`);
  };
  for (const input of options.inputs) {
    for await (const line of readLines(input, (bytes) => (readBytes += bytes))) {
      counts.lines++;
      const record = parseLogLine(line);
      if (record === null) {
        if (line.trim() !== '') counts.malformed++;
        continue;
      }
      if (options.split && (options.split.keep === 'before') !== record.timeMs < options.split.timeMs) {
        counts.outsideSplit++;
        continue;
      }
      windowStartMs = Math.min(windowStartMs, record.timeMs);
      windowEndMs = Math.max(windowEndMs, record.timeMs);
      sessionizer.add(record);
      if ((counts.lines & 1023) === 0) draw();
    }
    sessionizer.flush(); // separate logs: no session spans two files
  }
  draw(true);
  if (tty) process.stderr.write('\n');
  return { ...counts, windowStartMs, windowEndMs, peakOpen: sessionizer.peakOpen };
}
