import { controlReply } from '../controlReply';
import { defineCommand } from '../CommandDefinition';
import { string } from '../options';

const OPTIONS = [string('worker', 'a worker pid, a study, or all (default: all)', { autocomplete: 'worker', maxLength: 100 })] as const;

export const trainingPause = defineCommand({
  path: ['training', 'pause'],
  description: 'Pause training workers with SIGSTOP (asks you to confirm first)',
  options: OPTIONS,
  access: 'canControl',
  run: (context, args) => controlReply(context, ['training', 'pause'], OPTIONS, (controller) => controller.planWorkers('pause', args.worker ?? null)),
});
