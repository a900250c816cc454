import { SourceTopology } from '../../src/agent/SourceTopology';
import type { Component, ComponentContext } from '../../src/agent/Component';
import { parseRules } from '../../src/config/loadRules';
import type { SourceConfig } from '../../src/config/schema';
import { silentLogger } from '../../src/logging/logger';
import type { StateStore } from '../../src/state/StateStore';
import { compileLogRules } from '../../src/streams/logRules';

function sources(yaml: string): SourceConfig[] {
  const result = parseRules(`workspace: /w\nsources:\n${yaml}`, 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config.sources;
}

describe('SourceTopology', () => {
  const journal: string[] = [];
  const factory = (config: SourceConfig): Component => ({
    id: config.id,
    start: () => void journal.push(`start ${config.id}`),
    stop: () => void journal.push(`stop ${config.id}`),
  });
  const context: ComponentContext = { workspace: '/w', state: {} as StateStore, logger: silentLogger(), firstStartedAt: 0, logRules: () => compileLogRules([]), publish: () => undefined };

  beforeEach(() => (journal.length = 0));

  it('restarts only what was added, removed or changed', async () => {
    const topology = new SourceTopology(context, { log: factory, csv: factory });
    await topology.apply(sources('  - { id: a, type: log, paths: [a.log] }\n  - { id: b, type: log, paths: [b.log] }\n  - { id: c, type: csv, paths: [c.csv] }\n'));
    expect(journal.splice(0)).toEqual(['start a', 'start b', 'start c']);

    await topology.apply(sources('  - { id: a, type: log, paths: [a.log] }\n  - { id: b, type: log, paths: [b2.log] }\n  - { id: d, type: csv, paths: [d.csv] }\n'));
    expect(journal.splice(0)).toEqual(['stop b', 'stop c', 'start b', 'start d']);

    await topology.apply(sources('  - { id: a, type: log, paths: [a.log], enabled: false }\n'));
    expect(journal.splice(0)).toEqual(['stop a', 'stop b', 'stop d']);
    expect(topology.ids).toEqual([]);
  });

  it('keeps sources without a watcher yet as configured, and stops everything at the end', async () => {
    const topology = new SourceTopology(context, { log: factory });
    await topology.apply(sources('  - { id: a, type: log, paths: [a.log] }\n  - { id: o, type: optuna, storage: "sqlite:///x.db" }\n'));
    expect(topology.ids).toEqual(['a', 'o']);
    await topology.stop();
    expect(journal).toEqual(['start a', 'stop a']);
  });
});
