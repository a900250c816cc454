/**
 * What the demo workspace holds before barista starts (so barista takes it as history, not
 * news): an Optuna study with finished and running trials, the deployed model. And the demo's
 * rules: the shipped ones with two values shortened so that a minute shows them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { CATEGORICAL, createOptunaStorage, FLOAT, OptunaWriter } from '../../test/fixtures/optuna/optunaFixture';

/** The shipped rules, with the heartbeat grace and the process probe's interval shortened. */
export function demoRules(shippedFile: string, overrides: { staleGrace: string; probeInterval: string }): string {
  const doc = parseDocument(readFileSync(shippedFile, 'utf8'));
  const sources = doc.get('sources');
  if (!isSeq(sources)) throw new Error(`${shippedFile}: no sources list`);
  const set = (id: string, key: string, value: string): void => {
    const source = sources.items.find((item) => isMap(item) && item.get('id') === id);
    if (!isMap(source)) throw new Error(`${shippedFile}: no source "${id}"`);
    source.set(key, value);
  };
  set('heartbeats', 'stale_grace', overrides.staleGrace);
  set('processes', 'interval', overrides.probeInterval);
  return doc.toString();
}

export const STUDY = 'cappuccino_demo';
const PARAMS = { learning_rate: FLOAT(1e-5, 1e-3), batch_size: CATEGORICAL([256, 512, 1024]), gamma: FLOAT(0.9, 0.999) };

/** A trial's values: objective and the internal values of its params (in PARAMS order). */
type TrialSeed = [value: number, learningRate: number, batchIndex: number, gamma: number];
const FINISHED: readonly TrialSeed[] = [
  [0.0121, 3.1e-4, 1, 0.97],
  [0.0098, 8.2e-4, 2, 0.93],
  [0.0164, 1.2e-4, 0, 0.985],
  [0.0214, 6.5e-5, 1, 0.991],
  [0.0137, 2.4e-4, 2, 0.95],
];

/** The demo's Optuna storage, written by this process in Optuna's own schema (no Python needed). */
export class DemoStudy {
  private readonly writer: OptunaWriter;
  private readonly studyId: number;
  private readonly running: number[] = [];
  private last: number | undefined;

  /** Creates databases/optuna_cappuccino.db: finished trials, and one RUNNING per worker. */
  constructor(workspace: string, workers: number) {
    const file = path.join(workspace, 'databases', 'optuna_cappuccino.db');
    mkdirSync(path.dirname(file), { recursive: true });
    createOptunaStorage(file);
    this.writer = new OptunaWriter(file, { now: Date.now });
    this.studyId = this.writer.createStudy(STUDY, ['MAXIMIZE'], { target_trials: 500 });
    for (const seed of FINISHED) this.writer.trial(this.studyId, 'COMPLETE', seed[0], params(seed), { timeframe: '"1h"' });
    for (let worker = 0; worker < workers; worker++) this.running.push(this.writer.startTrial(this.studyId));
  }

  /** The number and value of the best trial written before barista started. */
  get best(): { number: number; value: number } {
    const value = Math.max(...FINISHED.map(([v]) => v));
    return { number: FINISHED.findIndex(([v]) => v === value), value };
  }

  /** Number of the trial finish() finished last. */
  get lastFinished(): number {
    if (this.last === undefined) throw new Error('no trial finished yet');
    return this.last;
  }

  /** Finishes the oldest running trial with `value`; returns its number. */
  finish(seed: TrialSeed): number {
    const trialId = this.running.shift();
    if (trialId === undefined) throw new Error('no running trial left');
    const { number } = this.writer.db.prepare('SELECT number FROM trials WHERE trial_id = ?').get(trialId) as { number: number };
    for (const [name, [internal, distribution]] of Object.entries(params(seed))) this.writer.setParam(trialId, name, internal, distribution);
    this.writer.setUserAttr(trialId, 'timeframe', '"1h"');
    this.writer.finish(trialId, 'COMPLETE', [seed[0]]);
    this.last = number;
    return number;
  }

  close(): void {
    this.writer.close();
  }
}

function params([, learningRate, batchIndex, gamma]: TrialSeed): Record<string, [number, string]> {
  return { learning_rate: [learningRate, PARAMS.learning_rate], batch_size: [batchIndex, PARAMS.batch_size], gamma: [gamma, PARAMS.gamma] };
}

/** `deployments/model_N/metadata.json` as deploy_temporary_models.sh writes it (one line). */
export function writeModelMetadata(workspace: string, model: number, trialNumber: number, sharpe: number): void {
  const dir = path.join(workspace, 'deployments', `model_${model}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'metadata.json'), `${JSON.stringify({ trial_number: trialNumber, study: STUDY, sharpe, temporary: true })}\n`);
}
