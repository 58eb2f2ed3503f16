import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseCombined,
  parseCombinedFast,
  parseCombinedRegex,
} from '../../scripts/training/logparse.js';
import { SHARED_DATA, sharedDataAvailable } from '../helpers/shared-data.js';

// The hand-written scanner replaced the regex on the hot path of training; training results must
// not change, so wherever it answers it must give exactly the regex's record (null included).
const FIXTURE = new URL('../fixtures/semicomplete-2015-apache.head400.log', import.meta.url)
  .pathname;
const real = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);

function agree(line: string): void {
  const fast = parseCombinedFast(line);
  const reference = parseCombinedRegex(line);
  if (fast !== undefined) expect(fast, line).toEqual(reference);
  expect(parseCombined(line), line).toEqual(reference);
}

describe('combined-log fast path', () => {
  it('answers for the usual real lines, exactly as the regex does', () => {
    let answered = 0;
    for (const line of real) {
      agree(line);
      if (parseCombinedFast(line) !== undefined) answered++;
    }
    expect(answered).toBeGreaterThan(real.length * 0.95); // or it would not be a fast path
  });

  it('agrees with the regex on mutated real lines (quotes, backslashes, tabs, odd times, non-ASCII)', () => {
    const tricky = fc.constantFrom(
      '"',
      '\\',
      ' ',
      '\t',
      '-',
      '[',
      ']',
      '/',
      ':',
      '+',
      '0',
      '9',
      'a',
      'Z',
      'é',
      '\u2028',
      '\u00a0',
      '',
      '  ',
      '\\"',
      'Foo',
      '99',
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...real),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), tricky), { minLength: 1, maxLength: 4 }),
        (line, edits) => {
          let mutated = line;
          for (const [at, remove, insert] of edits) {
            const i = at % (mutated.length + 1);
            mutated = mutated.slice(0, i) + insert + mutated.slice(i + remove);
          }
          agree(mutated);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it(
    'handles edge cases (times across days and zones, the day cache, odd status, bytes and ' +
      'quotes) the same way',
    () => {
      for (const line of [
        '1.2.3.4 - - [31/Dec/1999:23:59:59 -1200] "GET /a HTTP/1.0" 200 1 "-" "UA"',
        '1.2.3.4 - - [01/Jan/2000:00:00:00 +1400] "GET /a HTTP/1.0" 200 1 "-" "UA"',
        '1.2.3.4 - - [00/Feb/0099:99:99:99 +9999] "GET /a HTTP/1.0" - - "r" "u" "extra"',
        '1.2.3.4 - - [17/Foo/2015:10:05:03 +0000] "GET /a HTTP/1.0" 200 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "get /a HTTP/1.0" 200 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET  /a" 200 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET" 200 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1 extra" 200 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a  HTTP/1.1" 200 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a " 200 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.9" 200 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.10" 200 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "ABCDEFGHIJKLMNOPQ /a" 200 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.0" 200 1',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.0" -5 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.0" -ab "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.0" 200x "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.0" 2000 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.0" 20 1 "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.0" 200  "-" "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.0" 200 1 "-"  "UA"',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.0" 200 1 "-" "UA',
        '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.0" 200 1 "a\\"b" "c\\\\"',
      ])
        agree(line);
    },
  );

  // The shared real logs, where present (not in the repository): every line.
  const shared = SHARED_DATA;
  it.runIf(sharedDataAvailable('the scanner-vs-regex check on the shared logs'))(
    'agrees with the regex on every line of the shared real logs (needs ../shared/data or SCORER_SHARED_DATA)',
    () => {
      for (const file of readdirSync(shared).filter((f) => f.endsWith('.log'))) {
        for (const line of readFileSync(join(shared, file), 'utf8').split('\n')) agree(line.trim());
      }
    },
  );
});
