import { controlReply } from '../controlReply';
import { defineCommand } from '../CommandDefinition';
import { string } from '../options';

const OPTIONS = [string('worker', 'a worker pid, a study, or all (default: all)', { autocomplete: 'worker', maxLength: 100 })] as const;

export const trainingResume = defineCommand({
  path: ['training', 'resume'],
  description: 'Resume paused training workers with SIGCONT (asks you to confirm first)',
  options: OPTIONS,
  access: 'canControl',
  run: (context, args) => controlReply(context, ['training', 'resume'], OPTIONS, (controller) => controller.planWorkers('resume', args.worker ?? null)),
});
