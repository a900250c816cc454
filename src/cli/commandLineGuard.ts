/**
 * Cappuccino's own scripts run `pkill -f paper_trader…`, `pkill -f watchdog…` and
 * `pkill -f 1_optimize_unified…`: any process whose command line contains those words dies.
 * barista's command line must never contain them, even when a path passed to it does.
 */
export const PKILL_TARGET_WORDS = ['paper_trader', 'watchdog', '1_optimize_unified', 'performance_monitor'] as const;

export function pkillHazards(argv: readonly string[]): string[] {
  const line = argv.join(' ');
  return PKILL_TARGET_WORDS.filter((word) => line.includes(word));
}

/**
 * Rewrites this process's visible command line (Linux /proc/<pid>/cmdline) to a neutral
 * title when the original contains a pkill target word. Returns the words found.
 */
export function guardOwnCommandLine(command: string, argv: readonly string[] = process.argv): string[] {
  const hazards = pkillHazards(argv);
  if (hazards.length > 0) process.title = `barista ${command}`;
  return hazards;
}
