/**
 * npm run ops:standin [-- --port N]: the stand-in Fastly API (fastly-api-standin.ts, seeded as
 * offline.ts says) on loopback, to try the runbook without a Fastly account (docs/operators.md,
 * "Try the runbook offline"). State lives in memory and is gone when it stops. It is not Fastly:
 * it validates nothing, changes take effect at once (no propagation), and no scorer runs behind it.
 */
import {
  EXIT_FAILURE,
  EXIT_OK,
  parseCommandLine,
  type CommandLine,
} from '../../lib/command-line.js';
import { exportLine, STANDIN_DEFAULT_PORT, startOfflineStandin } from './offline.js';

const cli: CommandLine = parseCommandLine(process.argv.slice(2), {
  usage: 'usage: npm run ops:standin -- [--port N]',
  help: `
Serves a stand-in for the Fastly API on 127.0.0.1 for \`npm run ops\`; Ctrl-C stops it and its
state is lost. docs/operators.md, "Try the runbook offline", has the commands to run against it.
  --port N               the port (default ${STANDIN_DEFAULT_PORT}; 0 for any free port)`,
  options: { port: { type: 'string' } },
  exitCodes: { [EXIT_OK]: 'stopped (Ctrl-C)', [EXIT_FAILURE]: 'the port could not be bound' },
});
const port = cli.number('--port', cli.string('port'), STANDIN_DEFAULT_PORT, {
  min: 0,
  max: 65535,
  integer: true,
});

let standin;
try {
  standin = await startOfflineStandin(port);
} catch (error) {
  cli.error(
    `cannot listen on ` +
      `127.0.0.1:${port}: ${error instanceof Error ? error.message : String(error)} (--port N for another)`,
  );
}
standin.beforeHandle = (method, path) => process.stdout.write(`  ${method} ${path}\n`);
process.stdout.write(
  [
    `stand-in Fastly API listening on ${standin.url} (NOT Fastly: in memory, validates nothing, no propagation)`,
    `seeded: VCL service ${standin.serviceId} (active version 1 with backend F_scorer); Config ` +
      `Store scorer_config, Secret Store scorer_secrets, KV Store scorer_models (empty)`,
    'in another terminal:',
    `  ${exportLine(standin)}`,
    `(or --api-url ${standin.url} --service-id ${standin.serviceId} on each command, with ` +
      `FASTLY_API_TOKEN=${standin.token})`,
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
