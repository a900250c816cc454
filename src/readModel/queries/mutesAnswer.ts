/** `/mutes`: the mutes in force now. */
import type { MutesAnswer } from '../answers';
import type { ReadModel } from '../ReadModel';

export function mutesAnswer(model: ReadModel): MutesAnswer {
  const now = model.now();
  return {
    kind: 'mutes',
    now,
    mutes: model.activeMutes().map((m) => ({ id: m.id, match: { ...m.matcher }, reason: m.reason, createdBy: m.createdBy, createdAt: m.createdAt, expiresAt: m.expiresAt })),
  };
}
