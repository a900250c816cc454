/**
 * Application command definitions checked the way Discord checks a bulk overwrite
 * (PUT /applications/:id/commands): names, descriptions, option order and counts.
 */
import type { BodyProblem } from './validateMessageBody';

const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const MAX_COMMANDS = 100;
const MAX_OPTIONS = 25;

export function checkCommands(body: unknown): BodyProblem[] {
  if (!Array.isArray(body)) return [{ path: [], code: 'BASE_TYPE_LIST', message: 'Must be an array.' }];
  const problems: BodyProblem[] = [];
  if (body.length > MAX_COMMANDS) problems.push({ path: [], code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_COMMANDS} or fewer in length.` });
  const seen = new Set<string>();
  body.forEach((command: unknown, i) => {
    const c = (command ?? {}) as Record<string, unknown>;
    const type = typeof c.type === 'number' ? c.type : 1;
    problems.push(...checkCommand(c, [i], type === 1));
    const key = `${type}:${String(c.name)}`;
    if (seen.has(key)) problems.push({ path: [i, 'name'], code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: 'Application command names must be unique' });
    seen.add(key);
  });
  return problems;
}

/** One command or option (chat-input ones need a lowercase name and a description). */
function checkCommand(c: Record<string, unknown>, at: BodyProblem['path'], chatInput: boolean): BodyProblem[] {
  const problems: BodyProblem[] = [];
  const name = c.name;
  if (typeof name !== 'string' || !NAME.test(name) || (chatInput && name !== name.toLowerCase())) {
    problems.push({ path: [...at, 'name'], code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' });
  }
  if (chatInput) {
    const description = c.description;
    if (typeof description !== 'string' || description.length < 1 || description.length > 100) {
      problems.push({ path: [...at, 'description'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
    }
  }
  if (c.options !== undefined) {
    if (!Array.isArray(c.options)) {
      problems.push({ path: [...at, 'options'], code: 'BASE_TYPE_LIST', message: 'Must be an array.' });
      return problems;
    }
    if (c.options.length > MAX_OPTIONS) problems.push({ path: [...at, 'options'], code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${MAX_OPTIONS} or fewer in length.` });
    let optionalSeen = false;
    c.options.forEach((option: unknown, j: number) => {
      const o = (option ?? {}) as Record<string, unknown>;
      problems.push(...checkCommand(o, [...at, 'options', j], true));
      if (typeof o.type !== 'number' || o.type < 1 || o.type > 11) problems.push({ path: [...at, 'options', j, 'type'], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11).' });
      if (o.required === true && optionalSeen) {
        problems.push({ path: [...at, 'options'], code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', message: 'Required options must be placed before non-required options' });
      }
      if (o.required !== true && o.type !== 1 && o.type !== 2) optionalSeen = true;
      if (Array.isArray(o.choices) && o.choices.length > 25) problems.push({ path: [...at, 'options', j, 'choices'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
    });
  }
  return problems;
}
