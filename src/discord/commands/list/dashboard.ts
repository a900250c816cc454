import { renderNote } from '../../render/commandReplies';
import { defineCommand } from '../CommandDefinition';

export const dashboard = defineCommand({
  path: ['dashboard'],
  description: 'The dashboard link set in rules.yaml',
  options: [],
  access: 'canRead',
  run: ({ config }) => ({
    message: renderNote(
      config.dashboard_url ? `📊 Dashboard: ${config.dashboard_url}` : 'No dashboard is set. Add `commands.dashboard_url` to rules.yaml to have one here.',
    ),
  }),
});
