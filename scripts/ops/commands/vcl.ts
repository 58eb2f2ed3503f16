/**
 * vcl upload / vcl exclude-regex get|set|reset: the seven generated snippets onto a clone of the
 * service's active version, validated by Fastly, activated only with --activate.
 */
import { extractExcludeRegex, extractExemptRegex } from '../../vcl/extract-regex.js';
import {
  DEFAULT_EXCLUDE_URL_REGEX,
  DEFAULT_EXEMPT_URL_REGEX,
  type Snippet,
} from '../../vcl/facts.js';
import { generateSnippets } from '../../vcl/generate.js';
import { VclValidationError, type VclOptions } from '../../vcl/options.js';
import { lintSnippets } from '../../vcl/lint.js';
import { SnapshotError, validateSnapshot } from '../../vcl/verified-bots.js';
import { DEFAULT_SNAPSHOT_PATH } from './verified-bots.js';
import {
  activeVersion,
  getBackend,
  getDictionary,
  getSnippet,
  seg,
  type VclSnippet,
} from '../fastly-api.js';
import { OpsError, type OpsContext } from '../context.js';
import { NEW_VERSION, PlanError, unifiedDiff, type Step } from '../plan.js';
import { DICTIONARIES } from '../../../src/edge-contract.js';

const RECV = 'session-scorer-recv';
const DELIVER = 'session-scorer-deliver';
const ENFORCE = 'session-scorer-enforce';

/** The generator's options as deployed in the active version's snippets (so re-uploads keep them). */
function deployedOptions(
  recv: VclSnippet | null,
  deliver: VclSnippet | null,
  enforce: VclSnippet | null = null,
): VclOptions {
  const options: VclOptions = {};
  const regex = recv?.content ? extractExcludeRegex(recv.content) : null;
  // A deployed exclusion regex was accepted (or forced) when it was uploaded.
  if (regex !== null) Object.assign(options, { excludeUrlRegex: regex, forceExcludeRegex: true });
  const exempt = enforce?.content ? extractExemptRegex(enforce.content) : null;
  // A deployed exemption regex was accepted (or forced) when it was uploaded.
  if (exempt !== null) Object.assign(options, { exemptUrlRegex: exempt, forceExemptRegex: true });
  const backend = recv?.content
    ? /set req\.backend = ([A-Za-z_][A-Za-z0-9_]*);/.exec(recv.content)?.[1]
    : undefined;
  if (backend) options.scorerBackend = backend;
  const endpoint = deliver?.content
    ? /log "syslog " req\.service_id " ([A-Za-z0-9_-]+) :: scorer/.exec(deliver.content)?.[1]
    : undefined;
  if (endpoint) options.logEndpoint = endpoint;
  return options;
}

/** Generates and validates (policy checks, then falco lint) before any request is sent. */
function generateValidated(options: VclOptions): Snippet[] {
  try {
    const snippets = generateSnippets(options);
    lintSnippets(snippets, options.scorerBackend);
    return snippets;
  } catch (error) {
    if (error instanceof VclValidationError)
      throw new OpsError(`refused, nothing was sent to Fastly: ${error.message}`);
    throw error;
  }
}

function optionsFromFlags(ctx: OpsContext): VclOptions {
  const options: VclOptions = {};
  const regex = ctx.options.get('exclude-url-regex');
  if (regex !== undefined)
    Object.assign(options, {
      excludeUrlRegex: regex,
      forceExcludeRegex: ctx.options.has('force-exclude-regex'),
    });
  const backend = ctx.options.get('scorer-backend');
  if (backend !== undefined) options.scorerBackend = backend;
  const endpoint = ctx.options.get('log-endpoint');
  if (endpoint !== undefined) options.logEndpoint = endpoint;
  const exempt = ctx.options.get('exempt-url-regex');
  if (exempt !== undefined)
    Object.assign(options, {
      exemptUrlRegex: exempt,
      forceExemptRegex: ctx.options.has('force-exempt-regex'),
    });
  return options;
}

/**
 * The crawler range snapshot as the file holds it now (what `verified-bots update` wrote), so an
 * upload ships the refreshed ACLs; outside the repository, the copy embedded at build.
 */
function crawlerSnapshotOption(ctx: OpsContext): VclOptions {
  const path = ctx.options.get('snapshot') ?? DEFAULT_SNAPSHOT_PATH;
  let text: string;
  try {
    text = ctx.readFile(path);
  } catch {
    if (ctx.options.has('snapshot')) throw new OpsError(`--snapshot: cannot read ${path}`);
    ctx.out(
      `crawler ACLs: ${path} is not readable from here; using the snapshot embedded at build`,
    );
    return {};
  }
  try {
    return { verifiedBots: validateSnapshot(JSON.parse(text)) };
  } catch (error) {
    throw new OpsError(
      `refused, nothing was sent to Fastly: ${path}: ` +
        (error instanceof SnapshotError
          ? error.message
          : `not JSON (${error instanceof Error ? error.message : String(error)})`),
    );
  }
}

export async function vclUpload(ctx: OpsContext): Promise<void> {
  // Flags are validated before anything is read from the service.
  const flags = { ...optionsFromFlags(ctx), ...crawlerSnapshotOption(ctx) };
  if (ctx.options.has('force-exempt-regex') && flags.exemptUrlRegex === undefined)
    throw new OpsError('--force-exempt-regex only goes with --exempt-url-regex REGEX');
  if (Object.keys(flags).length > 0) generateValidated(flags);
  const serviceId = ctx.serviceId();
  const active = await activeVersion(ctx.api, serviceId);
  const [recv, deliver, enforce] = await Promise.all([
    getSnippet(ctx.api, serviceId, active, RECV),
    getSnippet(ctx.api, serviceId, active, DELIVER),
    getSnippet(ctx.api, serviceId, active, ENFORCE),
  ]);
  const options = { ...deployedOptions(recv, deliver, enforce), ...flags };
  const snippets = generateValidated(options);
  const deployed = extractExcludeRegex(recv?.content ?? '');
  await uploadSnippets(ctx, 'vcl upload', serviceId, active, snippets, {
    requireExisting: false,
    before: {
      exclude_url_regex: deployed,
      exempt_url_regex: extractExemptRegex(enforce?.content ?? ''),
    },
    after: {
      exclude_url_regex: options.excludeUrlRegex ?? DEFAULT_EXCLUDE_URL_REGEX,
      exempt_url_regex: options.exemptUrlRegex ?? DEFAULT_EXEMPT_URL_REGEX,
    },
  });
}

export async function excludeRegexGet(ctx: OpsContext): Promise<void> {
  const serviceId = ctx.serviceId();
  const active = await activeVersion(ctx.api, serviceId);
  const recv = await getSnippet(ctx.api, serviceId, active, RECV);
  const current = recv?.content ? extractExcludeRegex(recv.content) : null;
  ctx.out(`active version: ${active}`);
  ctx.out(
    `current:   ` +
      (current ??
        (recv
          ? '(the recv snippet is not one this generator wrote)'
          : '(no session-scorer snippets uploaded)')),
  );
  ctx.out(`default:   ${DEFAULT_EXCLUDE_URL_REGEX}`);
  ctx.out(
    `effective: ${current ?? DEFAULT_EXCLUDE_URL_REGEX}${current === null ? ' (what `vcl upload` would deploy)' : ''}`,
  );
}

export async function excludeRegexSet(
  ctx: OpsContext,
  regex: string | undefined,
  command = 'vcl exclude-regex set',
): Promise<void> {
  if (regex === undefined || regex === '')
    throw new OpsError('usage: vcl exclude-regex set REGEX (PCRE, matched against req.url.path)');
  // Layers one and two (policy, falco) before anything is read or sent; Fastly's validation is the third.
  const force = ctx.options.has('force-exclude-regex');
  generateValidated({ excludeUrlRegex: regex, forceExcludeRegex: force });
  const serviceId = ctx.serviceId();
  const active = await activeVersion(ctx.api, serviceId);
  const [recv, deliver] = await Promise.all([
    getSnippet(ctx.api, serviceId, active, RECV),
    getSnippet(ctx.api, serviceId, active, DELIVER),
  ]);
  if (!recv)
    throw new OpsError(
      `the active version ${active} has no ${RECV} snippet: run \`vcl upload\` first`,
    );
  // The recv snippet checks crawlers against the ACLs of the crawlers snippet: a service uploaded
  // before those existed needs the whole set once.
  if (!(await getSnippet(ctx.api, serviceId, active, 'session-scorer-crawlers')))
    throw new OpsError(
      `the active version ${active} has no session-scorer-crawlers snippet (the crawler ACLs ` +
        `the recv snippet now uses): run \`vcl upload\` first`,
    );
  const snippets = generateValidated({
    ...deployedOptions(recv, deliver),
    excludeUrlRegex: regex,
    forceExcludeRegex: force,
  });
  // Only the recv snippet holds the regex; the others stay as they are.
  await uploadSnippets(
    ctx,
    command,
    serviceId,
    active,
    snippets.filter((s) => s.name === RECV),
    {
      requireExisting: true,
      before: { exclude_url_regex: extractExcludeRegex(recv.content ?? '') },
      after: { exclude_url_regex: regex },
    },
  );
}

interface UploadOptions {
  requireExisting: boolean;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

async function uploadSnippets(
  ctx: OpsContext,
  command: string,
  serviceId: string,
  active: number,
  snippets: Snippet[],
  upload: UploadOptions,
): Promise<void> {
  const sid = seg(serviceId);
  const backendName = /req\.backend = ([A-Za-z_][A-Za-z0-9_]*);/.exec(
    snippets.find((s) => s.name === RECV)?.content ?? '',
  )?.[1];
  if (backendName && !(await getBackend(ctx.api, serviceId, active, backendName))) {
    throw new OpsError(
      `the active version ${active} has no backend "${backendName}": add the scorer Compute ` +
        `service as a backend with that name first (docs/operators.md), or pass --scorer-backend NAME`,
    );
  }
  const current = await Promise.all(
    snippets.map((s) => getSnippet(ctx.api, serviceId, active, s.name)),
  );
  const dictionaries = await Promise.all(
    Object.values(DICTIONARIES).map(async (name) => ({
      name,
      found: await getDictionary(ctx.api, serviceId, active, name),
    })),
  );

  const steps: Step[] = [];
  const changed: Record<string, 'created' | 'updated'> = {};
  snippets.forEach((snippet, i) => {
    const existing = current[i];
    const form = {
      name: snippet.name,
      type: snippet.type,
      priority: String(snippet.priority),
      dynamic: '0',
      content: snippet.content,
    };
    if (!existing) {
      if (upload.requireExisting)
        throw new OpsError(
          `the active version ${active} has no ${snippet.name} snippet: run \`vcl upload\` first`,
        );
      changed[snippet.name] = 'created';
      steps.push({
        title: `create snippet ${snippet.name} (${snippet.type}, priority ${snippet.priority})`,
        request: { method: 'POST', path: `/service/${sid}/version/${NEW_VERSION}/snippet`, form },
        diff: unifiedDiff('', snippet.content, ['(none)', snippet.name]),
      });
      return;
    }
    if (String(existing.dynamic) === '1')
      throw new OpsError(
        `snippet ${snippet.name} exists as a dynamic snippet on version ${active}: delete it ` +
          `first (the CLI manages versioned snippets)`,
      );
    const same =
      existing.content === snippet.content &&
      existing.type === snippet.type &&
      Number(existing.priority) === snippet.priority;
    if (same) return;
    changed[snippet.name] = 'updated';
    steps.push({
      title: `update snippet ${snippet.name} (${snippet.type}, priority ${snippet.priority})`,
      request: {
        method: 'PUT',
        path: `/service/${sid}/version/${NEW_VERSION}/snippet/${seg(snippet.name)}`,
        form,
      },
      diff:
        unifiedDiff(existing.content ?? '', snippet.content, [`version ${active}`, 'new']) ||
        `(type/priority only: ${existing.type}/${existing.priority} → ${snippet.type}/${snippet.priority})`,
    });
  });
  for (const { name, found } of dictionaries) {
    if (found) continue;
    // The caller secret lives in a private (write-only) dictionary: the API never shows it again.
    const form = { name, ...(name === DICTIONARIES.secrets ? { write_only: 'true' } : {}) };
    steps.push({
      title: `create edge dictionary ${name}${name === DICTIONARIES.secrets ? ' (private, write-only)' : ''}`,
      request: { method: 'POST', path: `/service/${sid}/version/${NEW_VERSION}/dictionary`, form },
    });
  }
  if (steps.length === 0) {
    ctx.out(
      `the active version ${active} already has these snippets and dictionaries: nothing to upload`,
    );
    return;
  }
  const activate = ctx.options.has('activate');
  steps.unshift({
    title: `clone the active version ${active}`,
    request: { method: 'PUT', path: `/service/${sid}/version/${active}/clone` },
    capturesVersion: true,
  });
  steps.push({
    title: 'validate the new version with Fastly',
    request: { method: 'GET', path: `/service/${sid}/version/${NEW_VERSION}/validate` },
    check: (response) => {
      const { status, errors, msg } = (response ?? {}) as {
        status?: string;
        errors?: unknown[];
        msg?: string;
      };
      return status === 'ok'
        ? null
        : `Fastly refused the version: ${
            [msg, ...(errors ?? []).map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))]
              .filter(Boolean)
              .join('; ') || JSON.stringify(response)
          }`;
    },
  });
  if (activate) {
    steps.push({
      title: 'activate the new version',
      request: { method: 'PUT', path: `/service/${sid}/version/${NEW_VERSION}/activate` },
      // Another operator may have activated a version since the clone: activating ours would undo theirs.
      precondition: async () => {
        const now = await activeVersion(ctx.api, serviceId);
        return now === active
          ? null
          : `the active version is now ${now}, not ${active}: someone activated another version ` +
              `meanwhile; re-run to build on it`;
      },
    });
  }
  const facts = {
    target: { service_id: serviceId, from_version: active },
    before: { active_version: active, ...upload.before },
    after: { snippets: changed, activated: activate, ...upload.after },
  };
  let result: { applied: boolean; newVersion: number | null };
  try {
    result = await ctx.apply(command, steps, facts);
  } catch (error) {
    if (error instanceof PlanError) {
      if (error.failed.path.endsWith('/activate') && /no response/.test(error.message)) {
        throw new OpsError(
          `${error.message}\nthe activation of version ${error.newVersion} may or may not have ` +
            `happened: check which version is active before anything else`,
        );
      }
      const draft =
        error.newVersion === null
          ? 'no version was created'
          : `draft version ${error.newVersion} was left inactive (inspect or delete it)`;
      throw new OpsError(`${error.message}\nthe active version ${active} is untouched; ${draft}`);
    }
    throw error;
  }
  if (!result.applied) return;
  ctx.out(
    activate
      ? `version ${result.newVersion} is active (was ${active})`
      : `version ${result.newVersion} is validated and NOT active: activate it with --activate ` +
          `next time, or in the Fastly UI (active is still ${active})`,
  );
}

export const excludeRegexReset = (ctx: OpsContext) =>
  excludeRegexSet(ctx, DEFAULT_EXCLUDE_URL_REGEX, 'vcl exclude-regex reset');

/**
 * Activates an existing version: the VCL rollback path (versions are never deleted, so the one
 * active before an upload is still there). Shows how the session-scorer snippets differ first.
 */
export async function vclActivate(ctx: OpsContext, versionText: string | undefined): Promise<void> {
  if (versionText === undefined || !/^[1-9]\d{0,8}$/.test(versionText))
    throw new OpsError(
      'usage: vcl activate VERSION (the version number to make active, e.g. the one active before an upload)',
    );
  const target = Number(versionText);
  const serviceId = ctx.serviceId();
  const active = await activeVersion(ctx.api, serviceId);
  if (target === active) {
    ctx.out(`version ${target} is already active: nothing to change`);
    return;
  }
  const names = generateSnippets().map((s) => s.name);
  const [now, then] = await Promise.all([
    Promise.all(names.map((n) => getSnippet(ctx.api, serviceId, active, n))),
    Promise.all(names.map((n) => getSnippet(ctx.api, serviceId, target, n).catch(() => null))),
  ]);
  const diff = names
    .map((name, i) =>
      unifiedDiff(now[i]?.content ?? '', then[i]?.content ?? '', [
        `${name} (active ${active})`,
        `${name} (version ${target})`,
      ]),
    )
    .filter(Boolean)
    .join('\n');
  const sid = seg(serviceId);
  const step: Step = {
    title: `activate version ${target} (active now: ${active})`,
    request: { method: 'PUT', path: `/service/${sid}/version/${target}/activate` },
    ...(diff ? { diff } : {}),
    precondition: async () => {
      const current = await activeVersion(ctx.api, serviceId);
      return current === active
        ? null
        : `the active version is now ${current}, not ${active}: someone activated another version meanwhile`;
    },
  };
  const result = await ctx.apply('vcl activate', [step], {
    target: { service_id: serviceId },
    before: { active_version: active },
    after: { active_version: target },
  });
  if (result.applied) ctx.out(`version ${target} is active (was ${active})`);
}
