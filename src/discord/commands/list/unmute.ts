import { renderNote } from '../../render/commandReplies';
import { defineCommand } from '../CommandDefinition';
import { integer } from '../options';

export const unmute = defineCommand({
  path: ['unmute'],
  description: 'Remove a mute by its id (see /mutes)',
  options: [integer('id', 'the mute id', { required: true, min: 1 })],
  access: 'canMute',
  run: ({ mutes }, args) => ({
    message: renderNote(mutes.remove(args.id) ? `🔔 Mute #${args.id} removed.` : `There is no mute #${args.id} (see /mutes).`),
    ephemeral: false,
  }),
});
