/** A source as /health and /status name it: its type and what it follows, in a few words. */
import type { SourceConfig } from './schema';

export interface SourceIdentity {
  id: string;
  type: string;
  follows: string;
}

export function sourceIdentity(config: SourceConfig): SourceIdentity {
  switch (config.type) {
    case 'optuna':
      return { id: config.id, type: config.type, follows: config.storage };
    case 'process':
      return { id: config.id, type: config.type, follows: `processes: ${Object.keys(config.match).join(', ')}` };
    default:
      return { id: config.id, type: config.type, follows: config.paths.join(', ') };
  }
}
