import { describe, expect, it } from 'vitest';
import { parseRawResponse } from '../../scripts/lib/falco-proxy-response.js';
import {
  checkTargets,
  contradictsClaimedBrowser,
  formatTable,
  summarizeClient,
  type ClientRun,
  type PageScore,
} from '../../scripts/bench/detection/summary.js';

const pages = (scores: (number | null)[], reasons: string[][] = []): PageScore[] =>
  scores.map((score, i) => ({ path: `/p${i}`, score, reasons: reasons[i] ?? [] }));

describe('bench:detection aggregation (made-up client runs, no clients)', () => {
  it(
    'counts flagged page requests at score ≥ threshold, finds the first, keeps the score ' +
      'sequence and reasons in first-seen order',
    () => {
      const run: ClientRun = {
        name: 'curl-jar',
        kind: 'scripted',
        outcome: 'ran',
        pages: pages(
          [0, 79, 80, null, 100],
          [
            [],
            ['fast_browsing'],
            ['fast_browsing', 'dwell_fast'],
            [],
            ['dwell_fast', 'cookie_missing'],
          ],
        ),
        gapsMs: [120, 80, 300, 100],
      };
      expect(summarizeClient(run, 80)).toEqual({
        name: 'curl-jar',
        kind: 'scripted',
        outcome: 'ran',
        pageRequests: 5,
        scored: 4,
        flagged: 2,
        flaggedShare: 0.4,
        firstFlagged: 3,
        scores: [0, 79, 80, null, 100],
        reasons: ['fast_browsing', 'dwell_fast', 'cookie_missing'],
        medianGapMs: 110,
      });
      // The threshold is the boundary: at 79 the second request is the first flagged (3 of 5).
      const at79 = summarizeClient(run, 79);
      expect([at79.flagged, at79.firstFlagged, at79.flaggedShare]).toEqual([3, 2, 0.6]);
    },
  );

  it('never flagged and no pages', () => {
    expect(
      summarizeClient(
        {
          name: 'h',
          kind: 'browser-human',
          outcome: 'ran',
          pages: pages([0, 0, 10]),
          gapsMs: [2500, 4100],
        },
        80,
      ),
    ).toMatchObject({ flagged: 0, firstFlagged: null, flaggedShare: 0, medianGapMs: 3300 });
    expect(
      summarizeClient(
        {
          name: 'w',
          kind: 'scripted',
          outcome: 'skipped',
          notice: 'missing; as root run: apt-get install -y wget',
          pages: [],
          gapsMs: [],
        },
        80,
      ),
    ).toMatchObject({
      pageRequests: 0,
      medianGapMs: null,
      flaggedShare: null,
      firstFlagged: null,
      notice: 'missing; as root run: apt-get install -y wget',
    });
  });

  it('refuses a threshold outside 0..100, naming it', () => {
    expect(() =>
      summarizeClient({ name: 'x', kind: 'scripted', outcome: 'ran', pages: [], gapsMs: [] }, 101),
    ).toThrow(/threshold must be an integer 0\.\.100, got 101/);
  });

  it(
    'judges the targets per kind: scripted by the 2nd request, the human never, the bot-paced ' +
      'browser by a fast-browsing reason on a flagged request',
    () => {
      const runs: ClientRun[] = [
        { name: 's-first', kind: 'scripted', outcome: 'ran', pages: pages([90, 90]), gapsMs: [] },
        {
          name: 's-third',
          kind: 'scripted',
          outcome: 'ran',
          pages: pages([0, 50, 90]),
          gapsMs: [],
        },
        {
          name: 'human',
          kind: 'browser-human',
          outcome: 'ran',
          pages: pages([0, 0, 0]),
          gapsMs: [],
        },
        {
          name: 'bot-fast',
          kind: 'browser-bot',
          outcome: 'ran',
          pages: pages([0, 100], [[], ['fast_browsing']]),
          gapsMs: [],
        },
        // Flagged, but for another reason; its fast_browsing only showed below the threshold.
        {
          name: 'bot-other',
          kind: 'browser-bot',
          outcome: 'ran',
          pages: pages([50, 100], [['fast_browsing'], ['cookie_missing']]),
          gapsMs: [],
        },
        { name: 'absent', kind: 'scripted', outcome: 'skipped', pages: [], gapsMs: [] },
      ];
      const rows = runs.map((run) => summarizeClient(run, 80));
      expect(checkTargets(rows, runs, 80).map((check) => [check.client, check.met])).toEqual([
        ['s-first', true],
        ['s-third', false],
        ['human', true],
        ['bot-fast', true],
        ['bot-other', false],
      ]);
    },
  );

  it('reads a claimed browser against its headers (bench-side, not the scorer)', () => {
    const chrome =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
    const browserLike: [string, string][] = [
      ['User-Agent', chrome],
      ['Accept', 'text/html,*/*;q=0.8'],
      ['Sec-Fetch-Mode', 'navigate'],
      ['Accept-Language', 'en-US,en;q=0.9'],
    ];
    expect(contradictsClaimedBrowser(browserLike)).toBe(false);
    expect(
      contradictsClaimedBrowser([
        ['User-Agent', chrome],
        ['Accept', '*/*'],
      ]),
    ).toBe(true); // curl claiming Chrome
    expect(
      contradictsClaimedBrowser(
        browserLike.map(([k, v]) => [k, k === 'Accept-Language' ? '*' : v]),
      ),
    ).toBe(true); // Node's fetch sends *
    expect(
      contradictsClaimedBrowser([
        ['user-agent', 'Wget/1.21.3'],
        ['accept', '*/*'],
      ]),
    ).toBe(false); // claims no browser
    // The target moves to the 1st request for a client whose first request contradicts its claim.
    const runs: ClientRun[] = [
      {
        name: 'curl',
        kind: 'scripted',
        outcome: 'ran',
        firstHeaders: [
          ['User-Agent', chrome],
          ['Accept', '*/*'],
        ],
        pages: pages([0, 100]),
        gapsMs: [100],
      },
      {
        name: 'wget',
        kind: 'scripted',
        outcome: 'ran',
        firstHeaders: [['User-Agent', 'Wget/1.21.3']],
        pages: pages([0, 100]),
        gapsMs: [100],
      },
    ];
    expect(
      checkTargets(
        runs.map((run) => summarizeClient(run, 80)),
        runs,
        80,
      ),
    ).toEqual([
      {
        client: 'curl',
        target: 'flagged by its 1st page request (its headers contradict the browser it claims)',
        met: false,
      },
      { client: 'wget', target: 'flagged by its 2nd page request', met: true },
    ]);
  });

  it(
    'formats one line per client (median gap between page requests) with its reasons, the ' +
      'threshold, and skipped clients with their notice',
    () => {
      const runs: ClientRun[] = [
        {
          name: 'curl-jar',
          kind: 'scripted',
          outcome: 'ran',
          pages: pages([0, 100], [[], ['fast_browsing']]),
          gapsMs: [150],
        },
        {
          name: 'wget',
          kind: 'scripted',
          outcome: 'skipped',
          notice: 'missing',
          pages: [],
          gapsMs: [],
        },
      ];
      expect(
        formatTable(
          runs.map((run) => summarizeClient(run, 80)),
          80,
        ).split('\n'),
      ).toEqual([
        'flagged = score ≥ 80',
        'client    pages  gap ms  scored  flagged  first flagged  scores',
        'curl-jar  2      150     2       1 (50%)  #2             0 100',
        '          reasons: fast_browsing',
        'wget      -      -       -       -        -              skipped: missing',
      ]);
    },
  );
});

describe("unwrapping falco --proxy's serialised response", () => {
  it('reads status, repeated headers in order, and a chunked body', () => {
    const raw = Buffer.from(
      'HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nTransfer-Encoding: ' +
        'chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
      'latin1',
    );
    const parsed = parseRawResponse(raw);
    expect([parsed.status, parsed.statusText, parsed.body.toString()]).toEqual([
      200,
      'OK',
      'hello world',
    ]);
    expect(parsed.headers).toEqual([
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['Transfer-Encoding', 'chunked'],
    ]);
  });

  it('keeps a body with a length as it is, and names what is malformed', () => {
    expect(
      parseRawResponse(
        Buffer.from('HTTP/1.1 429 Too Many Requests\r\nContent-Length: 2\r\n\r\nno'),
      ).body.toString(),
    ).toBe('no');
    expect(() => parseRawResponse(Buffer.from('garbage\r\n\r\n'))).toThrow(
      /bad status line "garbage"/,
    );
    expect(() => parseRawResponse(Buffer.from('HTTP/1.1 200 OK\r\n'))).toThrow(/no end of headers/);
  });
});
