/**
 * What every operator command gets: the API client (which alone holds the token), the parsed
 * options, output, the plan runner, and the audit trail. Commands are plain async functions
 * over this context (scripts/ops/commands/*), registered as data in scripts/ops/cli.ts.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { currentLogin, type FastlyApi } from './fastly-api.js';
import {
  executePlan,
  formatPlan,
  PlanError,
  stepRecord,
  type Step,
  type StepRecord,
} from './plan.js';
import { STORE_NAMES } from '../../src/edge-contract.js';

export class OpsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpsError';
  }
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface OpsContext extends Output {
  api: FastlyApi;
  /** Positional arguments after the command words. */
  args: string[];
  /** Command options (without the leading dashes); flags are "true". */
  options: Map<string, string>;
  dryRun: boolean;
  /** The VCL service id: --service-id or FASTLY_SERVICE_ID; throws when neither is set. */
  serviceId(): string;
  stores: { config: string; secret: string; kv: string };
  now(): number;
  randomBytes(length: number): Uint8Array;
  sleep(ms: number): Promise<void>;
  readFile(path: string): string;
  /**
   * Prints the plan; unless --dry-run, runs it and writes the audit line (also when it fails).
   * Returns the cloned version number, if a step cloned one.
   */
  apply(
    command: string,
    steps: Step[],
    audit: AuditFacts,
  ): Promise<{ applied: boolean; newVersion: number | null }>;
  /**
   * As apply, for a change to a local file (no API request): prints the plan and its diff;
   * unless --dry-run, writes the file and the audit line.
   */
  applyLocal(
    command: string,
    change: LocalChange,
    audit: AuditFacts,
  ): Promise<{ applied: boolean }>;
  /** HTTP for commands that read published files (not the Fastly API). */
  fetch: typeof fetch;
}

export interface LocalChange {
  title: string;
  path: string;
  content: string;
  /** A unified diff of the file ('' when unchanged). */
  diff: string;
}

export interface AuditFacts {
  target: Record<string, string | number>;
  before: unknown;
  after: unknown;
}

export interface AuditLine extends AuditFacts {
  time: string;
  who: string;
  command: string;
  result: 'ok' | 'failed';
  error?: string;
  requests: string[];
}

export interface ContextInit extends Output {
  api: FastlyApi;
  args: string[];
  options: Map<string, string>;
  env: Record<string, string | undefined>;
  now: () => number;
  randomBytes: (length: number) => Uint8Array;
  sleep: (ms: number) => Promise<void>;
  readFile: (path: string) => string;
  fetch?: typeof fetch;
  auditFile: string;
  osUser: string;
}

export function createContext(init: ContextInit): OpsContext {
  const { options, env } = init;
  let who: string | undefined;
  const writeAudit = async (line: Omit<AuditLine, 'who'>) => {
    who ??= `${(await currentLogin(init.api)) ?? 'unknown-api-user'} (os user ${init.osUser})`;
    const record: AuditLine = {
      time: line.time,
      who,
      command: line.command,
      target: line.target,
      before: line.before,
      after: line.after,
      result: line.result,
      ...(line.error ? { error: line.error } : {}),
      requests: line.requests,
    };
    // No secret reaches a record: requests are listed as method and path, errors carry secret
    // fields by name (FastlyApiError), and commands record "not recorded" for secret values.
    const text = JSON.stringify(record);
    init.out(`audit: ${text}`);
    try {
      appendFileSync(init.auditFile, text + '\n', { mode: 0o600 });
    } catch (error) {
      init.err(
        `warning: could not append to the audit ` +
          `file ${init.auditFile}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  return {
    api: init.api,
    args: init.args,
    options,
    out: init.out,
    err: init.err,
    dryRun: options.has('dry-run'),
    serviceId() {
      const id = options.get('service-id') ?? env.FASTLY_SERVICE_ID;
      if (!id)
        throw new OpsError(
          'no service: pass --service-id ID or set FASTLY_SERVICE_ID (the VCL service that runs the snippets)',
        );
      if (!/^[A-Za-z0-9]{1,64}$/.test(id))
        throw new OpsError('--service-id: expected the alphanumeric service id');
      return id;
    },
    stores: {
      config: options.get('config-store') ?? STORE_NAMES.config,
      secret: options.get('secret-store') ?? STORE_NAMES.secrets,
      kv: options.get('kv-store') ?? STORE_NAMES.models,
    },
    now: init.now,
    randomBytes: init.randomBytes,
    sleep: init.sleep,
    readFile: init.readFile,
    fetch: init.fetch ?? fetch,
    async applyLocal(command, change, audit) {
      if (change.diff === '') {
        init.out(`plan: nothing to change (${change.path} is up to date)`);
        return { applied: false };
      }
      init.out(`plan: 1 change\n  1. ${change.title}\n${change.diff.replace(/^/gm, '       ')}`);
      if (options.has('dry-run')) {
        init.out('dry run: nothing was changed');
        return { applied: false };
      }
      const time = new Date(init.now()).toISOString();
      try {
        writeFileSync(change.path, change.content);
      } catch (error) {
        const message = `could not write ${change.path}: ${error instanceof Error ? error.message : String(error)}`;
        await writeAudit({
          time,
          command,
          ...audit,
          after: null,
          result: 'failed',
          error: message,
          requests: [],
        });
        throw new OpsError(message);
      }
      init.out(`  ✓ wrote ${change.path}`);
      await writeAudit({ time, command, ...audit, result: 'ok', requests: [] });
      return { applied: true };
    },
    async apply(command, steps, audit) {
      init.out(formatPlan(steps));
      if (steps.length === 0) return { applied: false, newVersion: null };
      if (options.has('dry-run')) {
        init.out('dry run: nothing was changed');
        return { applied: false, newVersion: null };
      }
      const requests = (version: number | null, list: readonly StepRecord[]) =>
        list.map((s) => `${s.method} ${s.path.replace('{new}', String(version ?? '{new}'))}`);
      const time = new Date(init.now()).toISOString();
      try {
        const { newVersion } = await executePlan(init.api, steps, {
          sleep: init.sleep,
          progress: (step, i) => init.out(`  ✓ ${i + 1}/${steps.length} ${step.title}`),
        });
        await writeAudit({
          time,
          command,
          ...audit,
          result: 'ok',
          requests: requests(
            newVersion,
            steps.map((step) => stepRecord(step)),
          ),
        });
        return { applied: true, newVersion };
      } catch (error) {
        if (error instanceof PlanError) {
          await writeAudit({
            time,
            command,
            ...audit,
            after: null,
            result: 'failed',
            error: error.message,
            requests: requests(error.newVersion, error.applied),
          });
        }
        throw error;
      }
    },
  };
}
