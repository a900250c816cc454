/**
 * The node flags barista runs with, wherever it is started: the bin's shebang (src/cli.ts, kept
 * equal by a test), the service unit's ExecStart, the demo and the benchmarks.
 *
 * A 2 MB young generation instead of V8's 16 MB: barista's garbage is many small, short-lived
 * objects (lines, events), so scavenges stay cheap, and the idle agent's peak RSS drops by about
 * 11 MB (88 → 77 MB on the shipped rules, measured with bench/idleWatch.ts).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
