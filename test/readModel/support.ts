/** Runs the real csv source on a simulated workspace and waits for what it committed. */
import path from 'node:path';
import type { ComponentContext } from '../../src/agent/Component';
import { CsvSourceComponent } from '../../src/agent/sources/CsvSourceComponent';
import { parseRules } from '../../src/config/loadRules';
import type { CsvSourceConfig } from '../../src/config/schema';
import { silentLogger } from '../../src/logging/logger';
import { CATALOGUE, readCache } from '../../src/readModel/catalogue';
import type { StateStore } from '../../src/state/StateStore';
import { compileLogRules } from '../../src/streams/logRules';
import { traderNameOfCsv } from '../../src/streams/traderIdentity';
import { waitFor } from '../support/waitFor';

export function csvSourceConfig(): CsvSourceConfig {
  const result = parseRules('workspace: /w\nsources:\n  - { id: sessions, type: csv, paths: ["paper_trades/*.csv"], start_at: beginning }\n', 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config.sources[0] as CsvSourceConfig;
}

export function startCsvSource(workspace: string, state: StateStore): CsvSourceComponent {
  const context: ComponentContext = { workspace, state, logger: silentLogger(), firstStartedAt: 0, logRules: () => compileLogRules([]), publish: () => undefined };
  const component = new CsvSourceComponent(csvSourceConfig(), context);
  component.start();
  return component;
}

/** Waits until the trader's cached last bar is `bar` (ISO). */
export async function waitForBar(state: StateStore, trader: string, bar: string): Promise<void> {
  const at = new Date(bar).toISOString();
  await waitFor(() => readCache(state, CATALOGUE.portfolio.of(trader))?.value.at === at, { what: `${trader}'s bar ${at}`, timeoutMs: 15_000 });
}

/** The trader's one name from its CSV (`trial250_session.csv` → `trial250`). */
export const TRADER = (csvPath: string) => traderNameOfCsv(path.basename(csvPath));
