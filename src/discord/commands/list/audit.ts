import { renderNote } from '../../render/commandReplies';
import { renderAudit } from '../../render/controlReplies';
import { defineCommand } from '../CommandDefinition';
import { integer } from '../options';

/** Who asked barista to do what: control users only (the log names users and places). */
export const audit = defineCommand({
  path: ['audit'],
  description: 'The latest audit rows: who asked for what, from where, and what came of it',
  options: [integer('count', 'how many rows (default 10, at most 25)', { min: 1, max: 25 })],
  access: 'canControl',
  run: ({ audit: log }, args) => (log ? { message: renderAudit(log.recent(args.count ?? 10)), ephemeral: true } : { message: renderNote('The audit log is not available here.'), ephemeral: true }),
});
