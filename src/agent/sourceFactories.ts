/**
 * Source types → the component that runs them (a watcher from src/watchers, the stream
 * transform that gives its observations meaning, and the commit to state). A new kind of
 * source is a watcher in src/watchers plus an entry here for its `type:` in rules.yaml.
 */
import type { SourceConfig, SourceType } from '../config/schema';
import { cachedTrainingWorkers } from './cachedTrainingWorkers';
import type { ComponentFactory } from './Component';
import { CsvSourceComponent } from './sources/CsvSourceComponent';
import { FilesSourceComponent } from './sources/FilesSourceComponent';
import { JsonSourceComponent } from './sources/JsonSourceComponent';
import { LogSourceComponent } from './sources/LogSourceComponent';
import { OptunaSourceComponent } from './sources/OptunaSourceComponent';
import { ProcessSourceComponent } from './sources/ProcessSourceComponent';

type FactoryFor<T extends SourceType> = ComponentFactory<Extract<SourceConfig, { type: T }>>;

export type SourceFactories = { [T in SourceType]?: FactoryFor<T> };

export const sourceFactories: SourceFactories = {
  log: (config, context) => new LogSourceComponent(config, context),
  csv: (config, context) => new CsvSourceComponent(config, context),
  json: (config, context) => new JsonSourceComponent(config, context),
  // Stale-trial alarms also count the training workers a process source sees, when there is one.
  optuna: (config, context) => new OptunaSourceComponent(config, context, { workers: cachedTrainingWorkers(context.state) }),
  files: (config, context) => new FilesSourceComponent(config, context),
  process: (config, context) => new ProcessSourceComponent(config, context),
};

export function factoryFor(config: SourceConfig, factories: SourceFactories = sourceFactories): ComponentFactory<SourceConfig> | undefined {
  return factories[config.type] as ComponentFactory<SourceConfig> | undefined;
}
