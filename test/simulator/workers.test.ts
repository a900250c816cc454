/** Training worker logs: ANSI colours, tqdm's \r redraws, Optuna's records. */
import { read, useSimulator } from './helpers';

describe('training workers', () => {
  const { sim } = useSimulator({ traders: [], workers: 2 });

  it('write coloured prints, Optuna records and \\r progress bars; trial numbers are shared', () => {
    sim().runTrial(1, 'complete');
    sim().runTrial(2, 'pruned');
    sim().runTrial(1, 'failed');
    sim().runTrial(2, 'complete');
    const first = read(sim(), 'logs/worker_safe_1.log');
    expect(first.split('\n')[0]).toBe("[I 2026-02-09 00:10:00,000] A new study created in RDB with name: cappuccino_auto_20260216_0340");
    expect(read(sim(), 'logs/worker_safe_2.log').split('\n')[0]).toBe("[I 2026-02-09 00:10:00,000] Using an existing study with name 'cappuccino_auto_20260216_0340' instead of creating a new one.");
    expect(first).toContain('\x1b[96m[DEBUG] Objective function called for trial #0\x1b[0m\n');
    expect(first).toMatch(/\r {10,}\r\[I 2026-02-09 \d\d:\d\d:\d\d,\d{3}\] Trial 0 finished with value: -?\d\.\d+(e-\d+)? and parameters: \{'learning_rate': [\d.e-]+, 'batch_size': \d+, .*\}\. Best is trial 0 with value: .*\.\n/);
    expect(first).toMatch(/\rBest trial: 0\. Best value: [-\d.e]+:\s+0%\|\s+\| 1\/500 \[\d\d:\d\d<[\d:]+, [\d.]+s\/it\]/);
    expect(first).toMatch(/\[W [^\]]+\] Trial 2 failed with parameters: \{.*\} because of the following error: The value None could not be cast to float\.\n/);
    expect(first).toContain('] Trial 2 failed with value None.');
    expect(read(sim(), 'logs/worker_safe_2.log')).toMatch(/\[I [^\]]+\] Trial 1 pruned\. Trial timeout: 30\.\d minutes exceeded 30\.0 minute limit\n/);
    expect(sim().truth.trials.map((trial) => [trial.worker, trial.number, trial.state])).toEqual([
      [1, 0, 'COMPLETE'],
      [2, 1, 'PRUNED'],
      [1, 2, 'FAIL'],
      [2, 3, 'COMPLETE'],
    ]);
    expect(sim().writtenLines('logs/worker_pids.txt')).toHaveLength(2);
  });

  it('dies on an exception that is not TrialPruned, with a traceback to <module>', () => {
    sim().runTrial(1, 'crash');
    const lines = sim().writtenLines('logs/worker_safe_1.log');
    expect(lines.at(-1)).toMatch(/^RuntimeError: HIP out of memory/);
    expect(lines).toContain('  File "/opt/user-data/experiment/cappuccino/scripts/training/1_optimize_unified.py", line 912, in <module>');
    expect(() => sim().runTrial(1)).toThrow('no running worker 1');
    expect(sim().truth.lifecycle.filter((event) => event.actor === 'worker1').map((event) => event.kind)).toEqual(['started', 'exited']);
    // The other worker carries on.
    expect(sim().step()).toMatchObject({ actor: 'worker2', kind: 'trial' });
  });
});
