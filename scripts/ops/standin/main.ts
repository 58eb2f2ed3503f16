/**
 * npm run ops:standin [-- --port N]: the stand-in Fastly API (fastly-api-standin.ts, seeded as
 * offline.ts says) on loopback, to try the runbook without a Fastly account (docs/operators.md,
 * "Try the runbook offline"). State lives in memory and is gone when it stops. It is not Fastly:
 * it validates nothing, changes take effect at once (no propagation), and no scorer runs behind it.
 */
import { parseArgs } from 'node:util';
import { exportLine, STANDIN_DEFAULT_PORT, startOfflineStandin } from './offline.js';

const USAGE = `usage: npm run ops:standin [-- --port N]

Serves a stand-in for the Fastly API on 127.0.0.1 (default port ${STANDIN_DEFAULT_PORT}; 0 for any free
port) for \`npm run ops\`; Ctrl-C stops it and its state is lost. docs/operators.md, "Try the
runbook offline", has the commands to run against it.`;

let values: { port?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const port = Number(values.port ?? STANDIN_DEFAULT_PORT);
if (!/^\d{1,5}$/.test(values.port ?? '0') || port > 65535) {
  process.stderr.write(`--port: expected 0–65535, got ${JSON.stringify(values.port)}\n`);
  process.exit(2);
}

let standin;
try {
  standin = await startOfflineStandin(port);
} catch (error) {
  process.stderr.write(
    `cannot listen on 127.0.0.1:${port}: ${error instanceof Error ? error.message : String(error)} (--port N for another)\n`,
  );
  process.exit(1);
}
standin.beforeHandle = (method, path) => process.stdout.write(`  ${method} ${path}\n`);
process.stdout.write(
  [
    `stand-in Fastly API listening on ${standin.url} (NOT Fastly: in memory, validates nothing, no propagation)`,
    `seeded: VCL service ${standin.serviceId} (active version 1 with backend F_scorer); Config Store scorer_config, Secret Store scorer_secrets, KV Store scorer_models (empty)`,
    'in another terminal:',
    `  ${exportLine(standin)}`,
    `(or --api-url ${standin.url} --service-id ${standin.serviceId} on each command, with FASTLY_API_TOKEN=${standin.token})`,
    'Ctrl-C stops it. Requests it answers:',
    '',
  ].join('\n'),
);
const stop = () => {
  void standin.close().then(() => process.exit(0));
  // Keep-alive connections from the CLI could hold close() open.
  setTimeout(() => process.exit(0), 500).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
