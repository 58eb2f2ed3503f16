/**
 * Streaming sessionizer: groups log records into sessions (by the scorer's session id when the
 * line has one, else client IP + User-Agent) split by an inactivity gap. Memory stays bounded:
 * sessions idle for longer than the gap (plus a slack for slightly out-of-order logs) are
 * finished and handed to the consumer as the log's clock moves on.
 */
import type { LogRecord } from './logparse.js';

export interface SessionRequest {
  timeMs: number;
  method: string;
  path: string;
  /** The request line's protocol ('HTTP/1.1'), when the log has it. */
  protocol?: string | null;
  /** The Referer; null = absent ("-"). */
  referer?: string | null;
}

export interface LogSession {
  key: string;
  ip: string;
  userAgent: string;
  requests: SessionRequest[];
  /** Requests beyond the per-session cap: counted, not kept. */
  dropped: number;
}

export interface SessionizerOptions {
  gapMs?: number;
  /** How far out of order lines may be (the semicomplete log shuffles seconds within a minute). */
  slackMs?: number;
  maxRequestsPerSession?: number;
}

type OpenSession = LogSession & { lastMs: number };

export class Sessionizer {
  /** Open sessions by key, in the order they were opened (the order sweeps finish them). */
  private readonly open = new Map<string, OpenSession>();
  /**
   * The same sessions keyed by IP, then User-Agent: looking a line up needs no concatenated key
   * (a new 100+ character string per line was a large part of training time); the key is built
   * once per session.
   */
  private readonly byClient = new Map<string, Map<string, OpenSession>>();
  private clockMs = -Infinity;
  private sinceSweep = 0;
  private readonly gapMs: number;
  private readonly slackMs: number;
  private readonly maxRequests: number;
  /** Most sessions open at once: the memory bound in practice. */
  peakOpen = 0;

  constructor(
    private readonly emit: (session: LogSession) => void,
    options: SessionizerOptions = {},
  ) {
    this.gapMs = options.gapMs ?? 30 * 60_000;
    this.slackMs = options.slackMs ?? 2 * 60_000;
    this.maxRequests = options.maxRequestsPerSession ?? 5000;
  }

  add(record: LogRecord): void {
    const bySid = record.sessionId !== null;
    let session = bySid
      ? this.open.get(`sid:${record.sessionId}`)
      : this.byClient.get(record.ip)?.get(record.userAgent);
    if (session && record.timeMs - session.lastMs > this.gapMs) {
      this.finish(session.key, session);
      session = undefined;
    }
    if (!session) {
      // The address's length first: a JSON log's address may itself contain a newline.
      const key = bySid
        ? `sid:${record.sessionId}`
        : `ip:${record.ip.length}:${record.ip}\n${record.userAgent}`;
      session = {
        key,
        ip: record.ip,
        userAgent: record.userAgent,
        requests: [],
        dropped: 0,
        lastMs: record.timeMs,
      };
      this.open.set(key, session);
      if (!bySid) {
        let byAgent = this.byClient.get(record.ip);
        if (!byAgent) this.byClient.set(record.ip, (byAgent = new Map()));
        byAgent.set(record.userAgent, session);
      }
      this.peakOpen = Math.max(this.peakOpen, this.open.size);
    }
    if (session.requests.length < this.maxRequests)
      session.requests.push({
        timeMs: record.timeMs,
        method: record.method,
        path: record.path,
        protocol: record.protocol,
        referer: record.referer,
      });
    else session.dropped++;
    session.lastMs = Math.max(session.lastMs, record.timeMs);
    this.clockMs = Math.max(this.clockMs, record.timeMs);
    if (++this.sinceSweep >= 1000) this.sweep();
  }

  /** Finishes every session idle past the gap (plus slack) at the log's current clock. */
  sweep(): void {
    this.sinceSweep = 0;
    const horizon = this.clockMs - this.gapMs - this.slackMs;
    for (const [key, session] of this.open) if (session.lastMs < horizon) this.finish(key, session);
  }

  /** Finishes everything still open (end of input). */
  flush(): void {
    for (const [key, session] of this.open) this.finish(key, session);
  }

  private finish(key: string, session: OpenSession): void {
    this.open.delete(key);
    if (!key.startsWith('sid:')) {
      const byAgent = this.byClient.get(session.ip);
      if (byAgent?.get(session.userAgent) === session) {
        byAgent.delete(session.userAgent);
        if (byAgent.size === 0) this.byClient.delete(session.ip);
      }
    }
    session.requests.sort((a, b) => a.timeMs - b.timeMs);
    this.emit({
      key: session.key,
      ip: session.ip,
      userAgent: session.userAgent,
      requests: session.requests,
      dropped: session.dropped,
    });
  }
}
