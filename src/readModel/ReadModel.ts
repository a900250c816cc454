/** Placeholder until the read model lands: commands compile against this type. */
import type { StateStore } from '../state/StateStore';

export class ReadModel {
  constructor(
    readonly state: StateStore,
    readonly now: () => number = Date.now,
  ) {}
}
