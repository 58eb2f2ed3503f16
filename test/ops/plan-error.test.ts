/**
 * A failed plan reports its steps by title, method and path: the PlanError never holds a request
 * body, so printing or inspecting it (console.error(error), util.inspect) cannot show a secret the
 * step was sending. The API is a FAKE that fails the step chosen (no Fastly needed to fail).
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ApiRequest, FastlyApi } from '../../scripts/ops/fastly-api.js';
import { executePlan, PlanError, type Step } from '../../scripts/ops/plan.js';

const SECRET = 'PLANTED-secret-value-0123456789';

/** A FAKE API: answers `{number: 7}` to every call but the one whose path ends with `failing`. */
const fakeApi = (failing: string): FastlyApi => ({
  call: async <T>(request: ApiRequest) => {
    if (request.path.endsWith(failing)) throw new Error('HTTP 500');
    return { number: 7 } as T;
  },
  find: async () => null,
});

const steps: Step[] = [
  {
    title: 'clone',
    request: { method: 'PUT', path: '/service/s/version/3/clone' },
    capturesVersion: true,
  },
  {
    title: 'store a secret',
    request: {
      method: 'PUT',
      path: '/service/s/version/{new}/secret',
      json: { secret: SECRET },
      secretFields: ['secret'],
    },
  },
];

describe('PlanError keeps titles, methods and paths only (FAKE API)', () => {
  it('inspected, it shows neither the failed step nor an applied step’s secret', async () => {
    const error = await executePlan(fakeApi('/secret'), steps, { sleep: async () => {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PlanError);
    const planError = error as PlanError;
    expect(planError.message).toBe('step 2 (store a secret) failed: HTTP 500');
    expect(planError.failed).toEqual({
      title: 'store a secret',
      method: 'PUT',
      path: '/service/s/version/7/secret',
    });
    expect(planError.applied).toEqual([
      { title: 'clone', method: 'PUT', path: '/service/s/version/3/clone' },
    ]);
    expect(planError.newVersion).toBe(7);
    expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
  });

  it('an applied secret step is reported without its body when a later step fails', async () => {
    const later: Step = { title: 'activate', request: { method: 'PUT', path: '/activate' } };
    const error = (await executePlan(fakeApi('/activate'), [...steps, later], {
      sleep: async () => {},
    }).catch((e: unknown) => e)) as PlanError;
    expect(error.applied.map((s) => s.title)).toEqual(['clone', 'store a secret']);
    expect(inspect(error, { depth: 10 })).not.toContain(SECRET);
  });
});
