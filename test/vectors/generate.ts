/** Writes test/vectors/cookie-{valid,invalid}.json and test/vectors/challenge.json (npm run vectors). */
import { writeFileSync } from 'node:fs';
import { parseCommandLine } from '../../scripts/lib/command-line.js';
import { buildChallengeVectors } from './challenge-build.js';
import { buildCookieVectors } from './build.js';

parseCommandLine(process.argv.slice(2), {
  usage: 'usage: npm run vectors',
  help: `
Regenerates the committed test vectors from scorer-core: test/vectors/cookie-valid.json,
cookie-invalid.json and challenge.json (deterministic: the same code writes the same bytes).
No options besides --help.`,
  options: {},
});
const { valid, invalid } = buildCookieVectors();
writeFileSync('test/vectors/cookie-valid.json', JSON.stringify(valid, null, 2) + '\n');
writeFileSync('test/vectors/cookie-invalid.json', JSON.stringify(invalid, null, 2) + '\n');
const challenge = buildChallengeVectors();
writeFileSync('test/vectors/challenge.json', JSON.stringify(challenge, null, 2) + '\n');
console.log(
  `wrote ${valid.vectors.length} valid and ${invalid.vectors.length} invalid cookie vectors ` +
    `and ${challenge.cases.length} challenge cases to test/vectors/`,
);
