import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CsvSourceComponent } from '../../src/agent/sources/CsvSourceComponent';
import { parseRules } from '../../src/config/loadRules';
import type { CsvSourceConfig } from '../../src/config/schema';
import { silentLogger } from '../../src/logging/logger';
import type { BaristaEvent } from '../../src/model/BaristaEvent';
import { StateStore } from '../../src/state/StateStore';
import { compileLogRules } from '../../src/streams/logRules';
import { useTempDir } from './tempDir';

export interface CsvSourceHarness {
  /** The trader CSV the test writes: `paper_trades/trial7_session.csv` of the workspace (not created). */
  readonly csv: string;
  readonly state: StateStore;
  /** What the component published, in order (clear it with `splice(0)`). */
  readonly published: BaristaEvent[];
  /** Starts the component as a barista first started at `firstStartedAt` (epoch ms) would. */
  start(firstStartedAt: number): void;
  /** Stops it, as barista stopping does (state stays open). */
  stop(): Promise<void>;
}

/**
 * Per test, a csv source (the first source of `rulesYaml`, whose workspace is replaced by a temp
 * one) on a real state file: started when the test says, stopped and closed after it.
 */
export function useCsvSource(rulesYaml: string): () => CsvSourceHarness {
  const tempDir = useTempDir();
  const result = parseRules(rulesYaml, 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const config = result.rules.config.sources[0] as CsvSourceConfig;
  let harness: CsvSourceHarness;
  let component: CsvSourceComponent | null = null;

  beforeEach(() => {
    const workspace = path.join(tempDir(), 'ws');
    mkdirSync(path.join(workspace, 'paper_trades'), { recursive: true });
    const state = StateStore.open({ path: path.join(tempDir(), 'state.db') });
    const published: BaristaEvent[] = [];
    harness = {
      csv: path.join(workspace, 'paper_trades', 'trial7_session.csv'),
      state,
      published,
      start(firstStartedAt) {
        component = new CsvSourceComponent(config, { workspace, state, logger: silentLogger(), firstStartedAt, logRules: () => compileLogRules([]), publish: (events) => published.push(...events) });
        component.start();
      },
      async stop() {
        await component?.stop();
        component = null;
      },
    };
  });
  afterEach(async () => {
    await harness.stop();
    harness.state.close();
  });
  return () => harness;
}
