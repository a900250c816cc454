import { deriveFileChange, kindOfFile } from '../../src/streams/deploymentFiles';
import { keyEntries, splitNewEntries } from '../../src/streams/seenEntries';

describe('kindOfFile', () => {
  it('knows the real file names', () => {
    expect(kindOfFile('deployments/model_3/metadata.json', {})).toBe('model_metadata');
    expect(kindOfFile('deployments/deployment_log.json', {})).toBe('deployment_log');
    expect(kindOfFile('train_results/ensemble/ensemble_manifest.json', {})).toBe('ensemble_manifest');
    expect(kindOfFile('deployments/ensemble_snapshot/ensemble_manifest.json', {})).toBe('ensemble_manifest');
    expect(kindOfFile('deployments/watchdog_state.json', {})).toBe('watchdog_state');
    expect(kindOfFile('deployments/watchdog_state.json.bak.2', {})).toBe('watchdog_state');
    expect(kindOfFile('monitoring/live_monitor_state.json', {})).toBe('live_monitor_state');
  });

  it('tells a copy under another name by its shape, and nothing else', () => {
    expect(kindOfFile('copies/a.json', [{ action: 'DEPLOYED' }])).toBe('deployment_log');
    expect(kindOfFile('copies/b.json', { trial_numbers: [] })).toBe('ensemble_manifest');
    expect(kindOfFile('copies/c.json', { alerts: [], restart_counts: {} })).toBe('watchdog_state');
    expect(kindOfFile('copies/d.json', { alert_history: [] })).toBe('live_monitor_state');
    expect(kindOfFile('copies/e.json', { trial_number: 3 })).toBe('model_metadata');
    expect(kindOfFile('copies/f.json', { portfolio_value: 1 })).toBeNull();
    expect(kindOfFile('copies/g.json', [1, 2])).toBeNull();
  });
});

describe('deriveFileChange', () => {
  it('treats a memory of another kind as no memory (a first look)', () => {
    const look = { path: 'deployments/deployment_log.json', announceFirstLook: true, modifiedMs: 1 };
    const change = deriveFileChange('deployment_log', { trials: [1] }, [{ action: 'SKIPPED', trial_id: 1, timestamp: 't' }], look);
    expect(change).toMatchObject({ ok: true, drafts: [{ draft: { type: 'deployment.skipped' } }] });
  });
});

describe('splitNewEntries', () => {
  it('remembers at least 500 keys, the most recent, so a capped list\'s older copy is still known', () => {
    let seen: string[] = [];
    for (let round = 0; round < 10; round++) {
      const keyed = keyEntries(Array.from({ length: 100 }, (_, i) => `alert ${round * 100 + i}`), (s) => s);
      seen = splitNewEntries(keyed, seen).seen;
    }
    expect(seen).toHaveLength(500);
    const recent = keyEntries(Array.from({ length: 100 }, (_, i) => `alert ${500 + i}`), (s) => s);
    expect(splitNewEntries(recent, seen).fresh).toEqual([]);
    const forgotten = keyEntries(['alert 0'], (s) => s);
    expect(splitNewEntries(forgotten, seen).fresh).toHaveLength(1);
  });
});
