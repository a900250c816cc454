import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ComponentContext } from '../../src/agent/Component';
import { OptunaSourceComponent, type OptunaSourceOptions } from '../../src/agent/sources/OptunaSourceComponent';
import type { OptunaSourceConfig } from '../../src/config/schema';
import { parseRules } from '../../src/config/loadRules';
import { silentLogger } from '../../src/logging/logger';
import { StateStore } from '../../src/state/StateStore';
import type { BaristaEvent } from '../../src/streams/BaristaEvent';
import { compileLogRules } from '../../src/streams/logRules';

export function optunaConfig(fields: string): OptunaSourceConfig {
  const result = parseRules(`workspace: /w\nsources:\n  - { id: optuna, type: optuna, ${fields} }\n`, 'rules.yaml', {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config.sources[0] as OptunaSourceConfig;
}

/** A state file, a workspace folder and what gets published, for one test. */
export class Harness {
  readonly state: StateStore;
  readonly workspace: string;
  readonly published: BaristaEvent[] = [];
  readonly context: ComponentContext;
  private readonly components: OptunaSourceComponent[] = [];

  constructor(dir: string) {
    this.workspace = path.join(dir, 'ws');
    mkdirSync(this.workspace, { recursive: true });
    this.state = StateStore.open({ path: path.join(dir, 'state.db') });
    this.context = { workspace: this.workspace, state: this.state, logger: silentLogger(), firstStartedAt: 0, logRules: () => compileLogRules([]), publish: (events) => this.published.push(...events) };
  }

  component(fields = 'storage: "sqlite:///x.db"', options: OptunaSourceOptions = {}): OptunaSourceComponent {
    const component = new OptunaSourceComponent(optunaConfig(fields), this.context, { busyTimeoutMs: 2000, ...options });
    this.components.push(component);
    return component;
  }

  close(): void {
    for (const component of this.components) component.stop();
    this.state.close();
  }
}

/** type + study + number of events, for compact assertions. */
export const brief = (events: BaristaEvent[]): string[] => events.map((e) => `${e.type} ${String(e.fields.study ?? e.subject)}#${String(e.fields.number ?? '')}`);
