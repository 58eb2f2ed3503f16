/**
 * Runs the real scorer wasm on Viceroy for tests: builds bin/main.wasm once, writes a fastly.toml
 * per scenario (its own Config/Secret/KV store files) and starts one Viceroy per scenario on a
 * free loopback port. Viceroy missing: the suite fails in CI and is skipped, loudly, elsewhere.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildWasm,
  findViceroy,
  freePort,
  INSTALL_HELP,
  startViceroy,
} from '../../scripts/lib/viceroy.mjs';

export interface Scenario {
  config?: Record<string, string>;
  secrets?: Record<string, string>;
  kv?: Record<string, string>;
}

export interface RunningScorer {
  url: string;
  output: string[];
  stop(): Promise<void>;
}

export const viceroyBin: string | null = findViceroy();
export const viceroyRequired = Boolean(process.env.CI);
if (!viceroyBin && !viceroyRequired) console.warn(`\n[edge tests skipped] ${INSTALL_HELP}\n`);

let built = false;
export function buildScorerWasm(): void {
  if (built) return;
  buildWasm('src/index.ts', 'bin/main.wasm');
  built = true;
}

const workDir = mkdtempSync(join(tmpdir(), 'scorer-edge-'));

export async function startScenario(name: string, scenario: Scenario): Promise<RunningScorer> {
  if (!viceroyBin) throw new Error(INSTALL_HELP);
  buildScorerWasm();
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  const file = (base: string, data: Record<string, unknown>) => {
    const path = join(dir, base);
    writeFileSync(path, JSON.stringify(data));
    return path;
  };
  const kvItems = Object.fromEntries(
    Object.entries(scenario.kv ?? {}).map(([key, data]) => [key, { data }]),
  );
  const manifest = join(dir, 'fastly.toml');
  writeFileSync(
    manifest,
    [
      'manifest_version = 3',
      `name = "session-scorer-test-${name}"`,
      'language = "javascript"',
      '[local_server.config_stores.scorer_config]',
      `file = ${JSON.stringify(file('config.json', scenario.config ?? {}))}`,
      'format = "json"',
      '[local_server.secret_stores.scorer_secrets]',
      `file = ${JSON.stringify(file('secrets.json', scenario.secrets ?? {}))}`,
      'format = "json"',
      '[local_server.kv_stores.scorer_models]',
      `file = ${JSON.stringify(file('kv.json', kvItems))}`,
      'format = "json"',
      '',
    ].join('\n'),
  );
  return startViceroy({ bin: viceroyBin, manifest, wasm: 'bin/main.wasm', port: await freePort() });
}
