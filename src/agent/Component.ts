import type { Logger } from '../logging/logger';
import type { StateStore } from '../state/StateStore';
import type { BaristaEvent } from '../model/BaristaEvent';
import type { CompiledLogRules } from '../streams/logRules';

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
  /** When barista first ran on this state: files older than this start at their end. */
  firstStartedAt: number;
  /** The current log rules; a rules edit swaps them without restarting sources. */
  logRules: () => CompiledLogRules;
  /** Hands committed events on (printing, routing), in order, each once. */
  publish: (events: BaristaEvent[]) => void;
}

export type ComponentFactory<C> = (config: C, context: ComponentContext) => Component;
