/**
 * The preflight's path is the client's (issue 13, found in review): routed on it, a page's
 * preflight to `/.scorer/health/` or `/a/%2e%2e/.scorer/challenge` answered health JSON or the
 * challenge page without a score, and the VCL served the page unscored. On the in-memory
 * platform (a fake for the Fastly stores and counters).
 */
import { describe, expect, it } from 'vitest';
import defaultModel from '../../scorer-core/src/default-model.json' with { type: 'json' };
import { createApp } from '../../src/app.js';
import { prepareDefaults } from '../../src/config/defaults.js';
import { fakePlatform, TEST_CALLER_SECRET, testSecrets } from '../helpers/fake-platform.js';

describe('preflights are scored whatever their path (fake platform)', () => {
  const app = createApp(
    fakePlatform({ config: {}, secrets: testSecrets(), kv: {} }),
    prepareDefaults(defaultModel),
  );
  const preflight = (path: string) =>
    app.handle(
      new Request('http://scorer.test' + path, {
        headers: {
          'x-scorer-auth': TEST_CALLER_SECRET,
          'x-scorer-original-method': 'GET',
          'user-agent': 'curl/8.5.0',
          'fastly-client-ip': '198.51.100.9',
        },
      }),
    );

  for (const path of [
    '/.scorer/health/',
    '/article/10\\..\\..\\.scorer\\health',
    '/a/%2e%2e/.scorer/challenge',
    '/.scorer/challenge/verify/',
    '/.scorer/health',
  ]) {
    it(`${path} gets a score, not a route's answer`, async () => {
      const response = await preflight(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-scorer-score')).toMatch(/^\d+$/);
      expect(response.headers.get('content-type')).toBeNull();
    });
  }

  it('without the preflight marker the routes still answer (health for the backend probe)', async () => {
    const health = await app.handle(new Request('http://scorer.test/.scorer/health'));
    expect(health.headers.get('content-type')).toBe('application/json');
  });
});
