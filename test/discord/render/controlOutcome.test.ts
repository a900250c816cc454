/** What a user reads of a start through systemd-run: the unit to look at, and an exit whose code systemd forgot. */
import { outcomeText } from '../../../src/discord/render/controlReplies';

const unit = 'barista-trader-alpaca-mx7eq44n.service';

describe('start outcomes of a trader run as its own unit', () => {
  it('names the unit, and says why an exit has no code', () => {
    expect(outcomeText({ refused: false, action: 'start', trader: 'alpaca', outcome: { kind: 'started', trader: 'alpaca', pid: 42, startTicks: 1, afterMs: 5000, banner: 'Starting', unit } }).text).toBe(
      `✅ alpaca started: pid 42, alive after 5 s, start banner seen. It runs as the systemd unit ${unit.replace(/_/g, '\\_')}.`,
    );
    const exited = outcomeText({ refused: false, action: 'start', trader: 'alpaca', outcome: { kind: 'exited', trader: 'alpaca', pid: 42, afterMs: 300, code: null, signal: null, logTail: [], unit } });
    expect(exited).toMatchObject({ ok: false, audit: 'start exited' });
    expect(exited.text).toMatch(/^❌ alpaca exited .* after its start \(its exit code is gone with its unit\)\.$/);
    const child = outcomeText({ refused: false, action: 'start', trader: 'alpaca', outcome: { kind: 'exited', trader: 'alpaca', pid: 42, afterMs: 300, code: 3, signal: null, logTail: [] } });
    expect(child.text).toMatch(/after its start \(exit code 3\)\.$/);
  });

  it("relays systemd-run's reason for a failed start", () => {
    const error = "systemd-run failed: Failed to connect to bus: No medium found; set control.launcher: direct to start it as barista's child";
    expect(outcomeText({ refused: false, action: 'start', trader: 'alpaca', outcome: { kind: 'spawn_failed', trader: 'alpaca', error } }).text).toContain('could not be started: systemd-run failed: Failed to connect to bus: No medium found; set control.launcher: direct');
  });
});
