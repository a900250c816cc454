import type { Logger } from '../logging/logger';
import type { StateStore } from '../state/StateStore';

/** A running piece of the topology (a watcher, a sink, …): started once, stopped once. */
export interface Component {
  readonly id: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface ComponentContext {
  /** Absolute root of the monitored system. */
  workspace: string;
  state: StateStore;
  logger: Logger;
}

export type ComponentFactory<C> = (config: C, context: ComponentContext) => Component;
