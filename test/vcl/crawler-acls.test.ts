import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CRAWLERS } from '../../scorer-core/src/index.js';
import {
  aggregate,
  contains,
  formatAddress,
  formatCidr,
  parseCidr,
  type Cidr,
} from '../../scripts/vcl/cidr.js';
import { extractExemptRegex } from '../../scripts/vcl/extract-regex.js';
import { aclName, DEFAULT_EXEMPT_URL_REGEX, NORMALIZED_PATH_VCL } from '../../scripts/vcl/facts.js';
import { generateSnippets } from '../../scripts/vcl/generate.js';
import { ORDINARY_PAGES, validateExemptRegex } from '../../scripts/vcl/options.js';
import committed from '../../scripts/vcl/verified-bots.json' with { type: 'json' };
import {
  formatSnapshot,
  parsePublishedRanges,
  SNAPSHOT_FORMAT,
  validateSnapshot,
  type VerifiedBotsSnapshot,
} from '../../scripts/vcl/verified-bots.js';

const all = (list: string[]) => aggregate(list.map(parseCidr)).map(formatCidr);

/** A snapshot with the given ranges for googlebot and bingbot and one documentation range for the rest. */
function snapshotWith(
  ranges: Partial<Record<string, string[]>>,
  missing: string[] = [],
): VerifiedBotsSnapshot {
  const crawlers: VerifiedBotsSnapshot['crawlers'] = {};
  for (const { name } of CRAWLERS) {
    crawlers[name] = {
      sources: [
        { url: `https://example.com/${name}.json` },
        ...(missing.includes(name)
          ? [{ url: `https://example.com/${name}-2.json`, missing: 'not read' }]
          : []),
      ],
      ranges: ranges[name] ?? ['198.51.100.0/24'],
    };
  }
  return { format: SNAPSHOT_FORMAT, takenAt: '2026-12-01', crawlers };
}

describe('CIDR parsing and canonical text', () => {
  it('IPv4 and IPv6 prefixes, host bits cleared, bare addresses as /32 and /128', () => {
    expect(formatCidr(parseCidr('66.249.64.0/27'))).toBe('66.249.64.0/27');
    expect(formatCidr(parseCidr('66.249.64.9/27'))).toBe('66.249.64.0/27');
    expect(formatCidr(parseCidr('157.55.39.1'))).toBe('157.55.39.1/32');
    expect(formatCidr(parseCidr('2001:4860:4801:10::/64'))).toBe('2001:4860:4801:10::/64');
    expect(formatCidr(parseCidr('2001:4860:4801:0010:0000:0000:0000:0001/64'))).toBe(
      '2001:4860:4801:10::/64',
    );
    expect(formatCidr(parseCidr('::ffff:192.0.2.1'))).toBe('::ffff:c000:201/128');
    expect(parseCidr('0.0.0.0/0')).toEqual({ family: 4, bits: 0n, length: 0 });
  });

  it(
    'RFC 5952: lower case, the longest run of two or more zero groups compressed (the first on ' +
      'a tie), a lone zero group kept',
    () => {
      const text = (address: string) => formatAddress(parseCidr(address));
      expect(text('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
      expect(text('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
      expect(text('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
      expect(text('::')).toBe('::');
      expect(text('::1')).toBe('::1');
      expect(text('fe80::')).toBe('fe80::');
    },
  );

  it('refuses malformed prefixes with the reason', () => {
    expect(() => parseCidr('66.249.64.0/33')).toThrow('prefix length 33 exceeds 32 for IPv4');
    expect(() => parseCidr('2001:db8::/129')).toThrow('prefix length 129 exceeds 128 for IPv6');
    expect(() => parseCidr('256.1.1.1/24')).toThrow('is not an IPv4 address');
    expect(() => parseCidr('01.1.1.1/24')).toThrow('is not an IPv4 address');
    expect(() => parseCidr('2001:db8::1::/64')).toThrow('is not an IPv6 address');
    expect(() => parseCidr('1:2:3:4:5:6:7:8:9')).toThrow('is not an IPv6 address');
    expect(() => parseCidr('10.0.0.0/8/8')).toThrow('more than one "/"');
    expect(() => parseCidr('10.0.0.0/x')).toThrow('prefix length "x" is not a number');
  });
});

describe('CIDR aggregation', () => {
  it('merges sibling halves (repeatedly), drops duplicates and contained prefixes, keeps non-siblings apart', () => {
    expect(all(['10.0.0.0/25', '10.0.0.128/25'])).toEqual(['10.0.0.0/24']);
    expect(all(['10.0.0.192/26', '10.0.0.0/26', '10.0.0.128/26', '10.0.0.64/26'])).toEqual([
      '10.0.0.0/24',
    ]);
    // 10.0.0.128/25 and 10.0.1.0/25 are adjacent but have different parents.
    expect(all(['10.0.1.0/25', '10.0.0.128/25'])).toEqual(['10.0.0.128/25', '10.0.1.0/25']);
    expect(all(['10.0.0.0/24', '10.0.0.7/32', '10.0.0.0/24', '10.0.0.64/26'])).toEqual([
      '10.0.0.0/24',
    ]);
    expect(all(['2001:db8:0:0:8000::/65', '2001:db8::/65', '66.249.64.0/27'])).toEqual([
      '66.249.64.0/27',
      '2001:db8::/64',
    ]);
    // IPv4 and IPv6 never merge with each other, even with equal bits.
    expect(all(['0.0.0.0/1', '::/1'])).toEqual(['0.0.0.0/1', '::/1']);
  });

  it('covers exactly the same addresses as its input (property: random IPv4 prefixes and probe addresses)', () => {
    const prefix = fc
      .record({
        bits: fc.integer({ min: 0, max: 0xffff }),
        length: fc.integer({ min: 16, max: 32 }),
      })
      .map(({ bits, length }) =>
        parseCidr(`10.${(bits >> 8) & 255}.${bits & 255}.${(bits * 7) & 255}/${length}`),
      );
    fc.assert(
      fc.property(
        fc.array(prefix, { maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 0xffffff }), { maxLength: 60 }),
        (input, probes) => {
          const output = aggregate(input);
          const covered = (list: Cidr[], address: Cidr) => list.some((c) => contains(c, address));
          // Probes: random addresses in 10/8 plus each input prefix's first and last address.
          const addresses = [
            ...probes.map((p) => parseCidr(`10.${(p >> 16) & 255}.${(p >> 8) & 255}.${p & 255}`)),
            ...input.flatMap((c) => [
              { family: 4 as const, bits: c.bits, length: 32 },
              {
                family: 4 as const,
                bits: c.bits | ((1n << BigInt(32 - c.length)) - 1n),
                length: 32,
              },
            ]),
          ];
          for (const address of addresses)
            expect(covered(output, address)).toBe(covered(input, address));
          // Nothing in the output is inside another output prefix.
          for (const a of output)
            for (const b of output) if (a !== b) expect(contains(a, b)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the committed crawler snapshot', () => {
  it(
    'is valid, canonical (the text update writes), aggregated, and names its sources with a ' +
      'mirror or a reason',
    () => {
      const snapshot = validateSnapshot(committed);
      expect(formatSnapshot(snapshot)).toBe(
        formatSnapshot(JSON.parse(formatSnapshot(snapshot)) as VerifiedBotsSnapshot),
      );
      for (const [name, crawler] of Object.entries(snapshot.crawlers)) {
        expect(all(crawler.ranges), name).toEqual(crawler.ranges);
        for (const source of crawler.sources)
          expect(
            source.via !== undefined || source.missing !== undefined,
            `${name}: ${source.url}`,
          ).toBe(true);
      }
      // The ranges the falco suites rely on (test/vcl/enforcement.test.vcl).
      const inside = (name: string, address: string) =>
        snapshot.crawlers[name]!.ranges.some((r) => contains(parseCidr(r), parseCidr(address)));
      expect(inside('googlebot', '66.249.66.1')).toBe(true);
      expect(inside('googlebot', '2001:4860:4801:10::1')).toBe(true);
      expect(inside('bingbot', '157.55.39.1')).toBe(true);
      expect(inside('bingbot', '66.249.66.1')).toBe(false);
      for (const name of Object.keys(snapshot.crawlers))
        expect(inside(name, '192.0.2.1'), name).toBe(false);
    },
  );

  it(
    'refuses a snapshot with an unknown crawler, a missing crawler, a bad range or a complete ' +
      'crawler without ranges, naming the field',
    () => {
      const good = snapshotWith({});
      expect(() =>
        validateSnapshot({
          ...good,
          crawlers: { ...good.crawlers, yandexbot: good.crawlers.googlebot },
        }),
      ).toThrow('crawlers.yandexbot is not a crawler scorer-core knows');
      const { bingbot: _dropped, ...withoutBing } = good.crawlers;
      expect(() => validateSnapshot({ ...good, crawlers: withoutBing })).toThrow(
        'crawlers.bingbot is missing',
      );
      expect(() => validateSnapshot(snapshotWith({ applebot: ['17.0.0.0/33'] }))).toThrow(
        'crawlers.applebot.ranges[0]: "17.0.0.0/33": prefix length 33 exceeds 32',
      );
      expect(() => validateSnapshot(snapshotWith({ openai: [] }))).toThrow(
        'crawlers.openai.ranges is empty although every source is present',
      );
      expect(() => validateSnapshot({ ...good, format: 'other' })).toThrow('"format" must be');
      expect(
        validateSnapshot(snapshotWith({ openai: [] }, ['openai'])).crawlers.openai!.ranges,
      ).toEqual([]);
    },
  );

  it("parses the operators' published shape, IPv4 and IPv6, and refuses anything else", () => {
    const text = JSON.stringify({
      creationTime: '2026-11-30T14:45:42.000000',
      prefixes: [{ ipv6Prefix: '2001:4860:4801:10::/64' }, { ipv4Prefix: '66.249.64.0/27' }],
    });
    const parsed = parsePublishedRanges(text, 'https://example.com/g.json');
    expect(parsed.published).toBe('2026-11-30T14:45:42.000000');
    expect(parsed.cidrs.map(formatCidr)).toEqual(['2001:4860:4801:10::/64', '66.249.64.0/27']);
    expect(() => parsePublishedRanges('<html>', 'https://example.com/g.json')).toThrow(
      'https://example.com/g.json: not JSON',
    );
    expect(() => parsePublishedRanges('{"prefixes":[]}', 'u')).toThrow(
      'u: the "prefixes" array is empty',
    );
    expect(() => parsePublishedRanges('{"prefixes":[{"ip":"1.2.3.4"}]}', 'u')).toThrow(
      'u: prefixes[0] has neither ipv4Prefix nor ipv6Prefix',
    );
  });
});

describe('crawler ACLs and claims in the generated VCL', () => {
  it(
    'one ACL per crawler with its IPv4 and IPv6 entries, in the init snippet before the recv ' +
      'snippet uses them',
    () => {
      const snippets = generateSnippets({
        verifiedBots: snapshotWith({
          googlebot: ['66.249.64.0/27', '2001:4860:4801:10::/64'],
          bingbot: ['157.55.39.0/24'],
        }),
      });
      const acls = snippets.find((s) => s.name === 'session-scorer-crawlers')!;
      expect(acls.type).toBe('init');
      expect(acls.priority).toBeLessThan(
        snippets.find((s) => s.name === 'session-scorer-enforce')!.priority,
      );
      expect(acls.content).toContain(
        'acl scorer_crawler_googlebot {\n  "66.249.64.0"/27;\n  "2001:4860:4801:10::"/64;\n}',
      );
      expect(acls.content).toContain('acl scorer_crawler_bingbot {\n  "157.55.39.0"/24;\n}');
      expect(acls.content).toContain('snapshot taken 2026-12-01');
      for (const crawler of CRAWLERS)
        expect(acls.content).toContain(`acl ${aclName(crawler.name)} {`);
      const recv = snippets.find((s) => s.name === 'session-scorer-recv')!.content;
      for (const crawler of CRAWLERS) {
        expect(recv).toContain(`req.http.User-Agent ~ {"(?i)${crawler.userAgent}"}`);
        expect(recv).toContain(`client.ip ~ ${aclName(crawler.name)}`);
        expect(recv).toContain(`set req.http.X-Scorer-Claimed-Bot = "${crawler.name}";`);
      }
      // Claims are marked after the client's copies are stripped.
      expect(recv.indexOf('unset req.http.X-Scorer-Verified-Bot;')).toBeLessThan(
        recv.indexOf('set req.http.X-Scorer-Verified-Bot'),
      );
    },
  );

  it(
    'a crawler whose snapshot lacks a source is only ever verified, never called spoofed; one ' +
      'without ranges gets no ACL',
    () => {
      const snippets = generateSnippets({
        verifiedBots: snapshotWith({ 'google-fetcher': ['66.249.80.0/24'], applebot: [] }, [
          'google-fetcher',
          'applebot',
        ]),
      });
      const recv = snippets.find((s) => s.name === 'session-scorer-recv')!.content;
      const acls = snippets.find((s) => s.name === 'session-scorer-crawlers')!.content;
      expect(recv).toContain('client.ip ~ scorer_crawler_google_fetcher');
      expect(recv).not.toContain('set req.http.X-Scorer-Claimed-Bot = "google-fetcher";');
      expect(recv).not.toContain('scorer_crawler_applebot');
      expect(acls).not.toContain('acl scorer_crawler_applebot');
      expect(recv).toContain('set req.http.X-Scorer-Claimed-Bot = "googlebot";');
    },
  );

  it(
    "refuses crawler ACLs over Fastly's 1 MB snippet limit, and an invalid snapshot, before " +
      'any VCL is written',
    () => {
      // 50,000 single addresses two apart (nothing aggregates): about 1.2 MB of ACL entries.
      const many = Array.from(
        { length: 50_000 },
        (_, i) => `10.${(i >> 15) & 255}.${(i >> 7) & 255}.${(i & 127) * 2}/32`,
      );
      expect(() => generateSnippets({ verifiedBots: snapshotWith({ duckduckbot: many }) })).toThrow(
        /crawler ACLs: \d+ bytes, over Fastly's 1000000-byte snippet limit/,
      );
      expect(() => generateSnippets({ verifiedBots: { format: SNAPSHOT_FORMAT } })).toThrow(
        '"takenAt" must be an ISO date',
      );
    },
  );
});

describe('exempt paths', () => {
  it('the default exempts robots.txt, sitemaps, feeds, /.well-known/ and APIs, and no ordinary page', () => {
    const re = new RegExp(DEFAULT_EXEMPT_URL_REGEX.replace(/^\(\?i\)/, ''), 'i');
    for (const path of [
      '/robots.txt',
      '/ROBOTS.TXT',
      '/sitemap.xml',
      '/sitemap_index.xml',
      '/sitemap-posts.xml.gz',
      '/feed',
      '/blog/feed/',
      '/rss.xml',
      '/atom.xml',
      '/index.rss',
      '/feed.php',
      '/.well-known/security.txt',
      '/.well-known/apple-app-site-association',
      '/api/v1/items',
      '/api',
      '/ads.txt',
    ]) {
      expect(re.test(path), path).toBe(true);
    }
    for (const path of [
      ...ORDINARY_PAGES,
      '/blog/feeding-cats',
      '/apiary',
      '/robots',
      '/docs/api-guide',
    ])
      expect(re.test(path), path).toBe(false);
    expect(validateExemptRegex(DEFAULT_EXEMPT_URL_REGEX)).toBe(DEFAULT_EXEMPT_URL_REGEX);
  });

  it(
    'refuses a regex that matches / or an ordinary page, or cannot be checked, unless forced; ' +
      'the policy checks as for the exclusion regex',
    () => {
      expect(() => validateExemptRegex('.*')).toThrow(
        'exemption regex: matches the ordinary page "/"',
      );
      expect(() => validateExemptRegex('^/(?:blog|webhooks)/')).toThrow(
        'matches the ordinary page "/blog/"',
      );
      expect(() => validateExemptRegex('(?i)^/ABOUT$')).toThrow(
        'matches the ordinary page "/about"',
      );
      expect(() => validateExemptRegex('^/(?>feeds)/')).toThrow(
        'cannot be checked against ordinary pages',
      );
      expect(validateExemptRegex('.*', true)).toBe('.*');
      expect(validateExemptRegex('^/(?>feeds)/', true)).toBe('^/(?>feeds)/');
      expect(validateExemptRegex('^/webhooks/')).toBe('^/webhooks/');
      expect(() => validateExemptRegex('^/a"b')).toThrow(
        'exemption regex: double quotes are not allowed',
      );
      expect(() => validateExemptRegex('', true)).toThrow(
        'exemption regex: expected a non-empty string',
      );
    },
  );

  it('is generated into the enforce snippet as a literal and read back from it', () => {
    const enforce = generateSnippets({ exemptUrlRegex: '^/webhooks/' }).find(
      (s) => s.name === 'session-scorer-enforce',
    )!.content;
    expect(enforce).toContain(`${NORMALIZED_PATH_VCL} ~ {"^/webhooks/"}`);
    expect(extractExemptRegex(enforce)).toBe('^/webhooks/');
    expect(
      extractExemptRegex(
        generateSnippets().find((s) => s.name === 'session-scorer-enforce')!.content,
      ),
    ).toBe(DEFAULT_EXEMPT_URL_REGEX);
    expect(() => generateSnippets({ exemptUrlRegex: '/' })).toThrow(
      'matches the ordinary page "/"',
    );
    expect(generateSnippets({ exemptUrlRegex: '/', forceExemptRegex: true })[2]!.content).toContain(
      `${NORMALIZED_PATH_VCL} ~ {"/"}`,
    );
  });

  it('the decision log line records the action, the exemption and the crawler verdict, each pattern-checked', () => {
    const deliver = generateSnippets().find((s) => s.name === 'session-scorer-deliver')!.content;
    expect(deliver).toContain(
      '" action=" if(req.http.X-Scorer-Action ~ "^(would_)?(block|challenge)$", req.http.X-Scorer-Action, "-")',
    );
    expect(deliver).toContain(
      '" exempt=" if(req.http.X-Scorer-Exempt ~ "^(verified_bot|path)$", req.http.X-Scorer-Exempt, "-")',
    );
    expect(deliver).toContain('" bot=" if(req.http.X-Scorer-Verified-Bot ~ "^[a-z0-9-]{1,32}$"');
    expect(deliver).toContain(
      '" claimed_bot=" if(req.http.X-Scorer-Claimed-Bot ~ "^[a-z0-9-]{1,32}$"',
    );
  });
});
