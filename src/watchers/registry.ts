/**
 * Source types → the watcher that implements them. A new kind of source is a new file in
 * src/watchers registered here by its `type:` in rules.yaml.
 */
import type { ComponentFactory } from '../agent/Component';
import type { SourceConfig, SourceType } from '../config/schema';

type FactoryFor<T extends SourceType> = ComponentFactory<Extract<SourceConfig, { type: T }>>;

export type SourceFactories = { [T in SourceType]?: FactoryFor<T> };

export const sourceFactories: SourceFactories = {};

export function factoryFor(config: SourceConfig, factories: SourceFactories = sourceFactories): ComponentFactory<SourceConfig> | undefined {
  return factories[config.type] as ComponentFactory<SourceConfig> | undefined;
}
