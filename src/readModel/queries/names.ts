/**
 * Names the user types (trader, study) → the one they mean: exact, then ignoring case, then
 * the only name that starts with or contains it. Also the lists for autocomplete.
 */
import type { ReadModel } from '../ReadModel';

export function traderNames(model: ReadModel): string[] {
  return model.traderNames();
}

export function studyNames(model: ReadModel): string[] {
  return model.studyNames();
}

/** The known name `asked` means, or null when none or several could be meant. */
export function resolveName(asked: string, known: readonly string[]): string | null {
  const wanted = asked.trim();
  if (known.includes(wanted)) return wanted;
  const lower = wanted.toLowerCase();
  const tries = [(n: string) => n.toLowerCase() === lower, (n: string) => n.toLowerCase().startsWith(lower), (n: string) => n.toLowerCase().includes(lower)];
  for (const test of tries) {
    const found = known.filter(test);
    if (found.length === 1) return found[0];
    if (found.length > 1) return null;
  }
  return null;
}
