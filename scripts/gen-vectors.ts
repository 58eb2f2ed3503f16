/** Writes test/vectors/cookie-{valid,invalid}.json (npm run vectors). */
import { writeFileSync } from 'node:fs';
import { buildCookieVectors } from '../test/vectors/build.js';

const { valid, invalid } = buildCookieVectors();
writeFileSync('test/vectors/cookie-valid.json', JSON.stringify(valid, null, 2) + '\n');
writeFileSync('test/vectors/cookie-invalid.json', JSON.stringify(invalid, null, 2) + '\n');
console.log(`wrote ${valid.vectors.length} valid and ${invalid.vectors.length} invalid cookie vectors to test/vectors/`);
