/**
 * Control end to end: `barista run` (the compiled CLI, a real child process) with a copy of the
 * shipped rules whose `processes` source and `control:` point at a decoy trader in a temp folder,
 * logged in to the fake Discord as a bot. An allowed user starts and stops the trader through
 * the confirmation buttons; an unlisted user is refused; the trader outlives barista being
 * SIGKILLed, and the restarted barista disables the buttons of the question the killed one left
 * open and stops the trader; `barista audit` prints what happened. Then barista as a systemd user
 * service (its environment, a systemd-run / systemctl stand-in on PATH) starts the trader as its
 * own unit and stops it.
 * (The full matrix of presses — someone else's, twice, expired, forged, replayed — runs
 * in-process in test/discord/bot/controlBot.test.ts.)
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { procFinder } from '../../src/control';
import { liveness, readStat } from '../../src/control/procfs';
import { PendingActionStore } from '../../src/state/PendingActionStore';
import { StateStore } from '../../src/state/StateStore';
import { BaristaProcess, runCli } from '../support/baristaProcess';
import { FakeDiscord, type FakeInteraction, type FakeMessage } from '../support/fakeDiscord';
import { installSystemdStub } from '../support/systemdStub';
import { SHIPPED_RULES, writeRulesCopy } from '../support/rulesCopy';
import { waitFor } from '../support/waitFor';

const GUARD = path.join(__dirname, '..', 'support', 'loopbackOnly.js');
const DECOYS = path.resolve(__dirname, '..', 'support', 'decoys');
const PYTHON = '/usr/bin/python3';
const TRADER = 'paper_trader_alpaca_polling.py';
const WORKER = '1_optimize_unified.py';
const ALICE = '100000000000000001';
const BOB = '100000000000000002';
const EPHEMERAL = 1 << 6;

const processesIndex = () => ((parseDocument(readFileSync(SHIPPED_RULES, 'utf8')).get('sources') as YAMLSeq<YAMLMap>).items.findIndex((s) => s.get('id') === 'processes'));
const buttons = (m: FakeMessage): Array<{ custom_id: string; label: string; disabled?: boolean }> =>
  ((m.components ?? []) as Array<{ components: Array<{ custom_id: string; label: string; disabled?: boolean }> }>).flatMap((row) => row.components);
const text = (m: FakeMessage | null | undefined): string => [m?.content ?? '', ...(m?.embeds ?? []).map((e) => `${e.title ?? ''}\n${e.description ?? ''}`)].join('\n').replace(/\\(.)/g, '$1');

describe('barista run: control from Discord (compiled CLI, fake Discord, decoy trader)', () => {
  let fake: FakeDiscord;
  let barista: BaristaProcess;
  let dir: string;
  let state: string;
  let startBarista: (extraEnv?: Record<string, string>) => Promise<BaristaProcess>;
  const scripts = () => path.join(dir, 'scripts');
  const traderPids = () => procFinder({ classes: [['trader', `${path.basename(dir)}/scripts/${TRADER}`]] }).find(['trader']).map((p) => p.pid);

  beforeAll(async () => {
    fake = await FakeDiscord.start({ users: [{ id: ALICE, username: 'alice' }, { id: BOB, username: 'bob' }] });
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'barista-e2e-control-')));
    const workspace = path.join(dir, 'cappuccino');
    for (const folder of ['logs', 'paper_trades', 'deployments/trial_250_live']) mkdirSync(path.join(workspace, folder), { recursive: true });
    mkdirSync(scripts());
    mkdirSync(path.join(dir, 'state'));
    for (const name of [TRADER, WORKER]) copyFileSync(path.join(DECOYS, name), path.join(scripts(), name));
    const suffix = (name: string) => `${path.basename(dir)}/scripts/${name}`;
    const rules = writeRulesCopy(path.join(dir, 'rules.yaml'), {
      set: [
        [['sources', processesIndex(), 'match'], { trader: suffix(TRADER), training: suffix(WORKER) }],
        [['sources', processesIndex(), 'interval'], '1s'],
        [['commands', 'allow', 'control'], { users: [ALICE], roles: [] }],
        [['commands', 'rate'], { burst: 1000, per_second: 100 }],
        [
          ['control'],
          {
            traders: {
              trial250: {
                start: { argv: [PYTHON, '-u', path.join(scripts(), TRADER), '--model-dir', 'deployments/trial_250_live', '--log-file', 'paper_trades/trial250_session.csv', '--decoy-sleep', '0.3'], log: 'logs/trial250.log', settle: '300ms', banner: '^Starting Alpaca (paper|live) trading', banner_timeout: '10s' },
                stop: { signal: 'SIGINT', grace: '5s', wait: '5s' },
              },
            },
          },
        ],
      ],
    });
    state = path.join(dir, 'state', 'barista.db');
    startBarista = async (extraEnv = {}) => {
      barista = BaristaProcess.start(['run', '--config', rules, '--state', state], {
        cwd: dir,
        env: { CAPPUCCINO_WORKSPACE: workspace, NODE_OPTIONS: `--require ${GUARD}`, BARISTA_TEST_FAST_RECONNECT: '1', DISCORD_API_BASE: fake.apiBase, DISCORD_BOT_TOKEN: fake.botToken, DISCORD_WEBHOOK_URL: fake.webhookUrl(), ...extraEnv },
      });
      await barista.waitForLog((line) => line.msg === 'barista running', { what: 'start-up', timeoutMs: 15_000 });
      await barista.waitForLog((line) => line.msg === 'discord bot: connected', { what: 'the bot connected', timeoutMs: 10_000 });
      return barista;
    };
    await startBarista();
    await waitFor(() => fake.commands().length > 0, { what: 'slash commands registered', timeoutMs: 10_000 });
  }, 30_000);

  afterAll(async () => {
    barista?.kill('SIGKILL');
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      let argv = '';
      try {
        argv = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      const stat = readStat(Number(name));
      if (stat && argv.includes(scripts()) && liveness(stat.pid, stat.startTicks) === 'alive') process.kill(stat.pid, 'SIGKILL');
    }
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Whether barista's state knows where the question of this button was posted (read-only look). */
  function postedQuestion(customId: string): boolean {
    const id = /^ctl:([0-9a-f]{24}):/.exec(customId)?.[1];
    const store = StateStore.openReadOnly(state);
    try {
      return Boolean(id && new PendingActionStore(store).get(id)?.message);
    } finally {
      store.close();
    }
  }

  async function confirmWith(asked: FakeInteraction, user: string): Promise<{ question: FakeMessage; outcome: FakeMessage }> {
    const question = await waitFor(() => (asked.original && buttons(asked.original).length ? asked.original : undefined), { what: 'the question', timeoutMs: 5000 });
    const press = fake.clickButton(question, buttons(question).find((b) => b.label === 'Confirm')!.custom_id, user);
    const outcome = await waitFor(() => press.followups[0], { what: 'the outcome', timeoutMs: 15_000 });
    return { question, outcome };
  }

  it('starts the trader for a listed user after Confirm, refuses an unlisted one; the trader outlives a SIGKILLed barista, the restarted one disables the open question and stops it; barista audit prints it all', async () => {
    const denied = fake.slash('trader stop', {}, 'bob');
    const refusal = await waitFor(() => denied.callbacks[0], { what: "bob's refusal" });
    expect(((refusal.data as { flags?: number }).flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);

    const started = await confirmWith(fake.slash('trader start', { trader: 'trial250' }, 'alice'), 'alice');
    expect(text(started.question)).toContain('Start trial250:');
    expect(text(started.outcome)).toMatch(/trial250 started: pid \d+, alive after .*start banner seen/);
    const [pid] = traderPids();
    expect(pid).toBeDefined();
    const ticks = readStat(pid!)!.startTicks;
    // Its own session, not barista's child any more than by birth: killing barista leaves it be.
    expect(readStat(pid!)!.ppid).toBe(barista.child.pid);

    // A stop asked but not answered, then barista is SIGKILLed: the trader runs on.
    const open = fake.slash('trader stop', {}, 'alice');
    const question = await waitFor(() => (open.original && buttons(open.original).length ? open.original : undefined), { what: 'the open question', timeoutMs: 5000 });
    // (Once barista has noted where the question is: it learns the message id from Discord's answer.)
    await waitFor(() => postedQuestion(buttons(question)[0]!.custom_id), { what: 'the question noted in state' });
    const killed = barista;
    killed.kill('SIGKILL');
    await waitFor(() => killed.exit, { what: 'barista killed' });
    expect(liveness(pid!, ticks)).toBe('alive');

    // barista again, on the same state: the question it left open gets its buttons disabled; the trader still runs.
    await startBarista();
    await waitFor(() => (buttons(question).every((b) => b.disabled === true) ? true : undefined), { what: 'the old question disabled', timeoutMs: 10_000 });
    expect(text(question)).toContain('barista restarted before anyone answered');
    expect(liveness(pid!, ticks)).toBe('alive');
    expect(traderPids()).toEqual([pid]);

    const stopped = await confirmWith(fake.slash('trader stop', {}, 'alice'), 'alice');
    expect(text(stopped.question)).toContain(`Send SIGINT to trial250 (pid ${pid}, up `);
    expect(text(stopped.outcome)).toContain(`trial250 (pid ${pid}) exited`);
    expect(traderPids()).toEqual([]);

    const printed = await waitFor(
      () => {
        const result = runCli(['audit', '--state', state]);
        return result.status === 0 && result.stdout.includes('stop exited') ? result.stdout : undefined;
      },
      { what: 'the audit printed', timeoutMs: 5000 },
    );
    const lines = printed.trim().split('\n');
    expect(lines.some((l) => /bob \(100000000000000002\) trader stop denied: control needs commands\.allow\.control/.test(l))).toBe(true);
    expect(lines.some((l) => /alice \(100000000000000001\) trader start .*allowed: confirmed; start started/.test(l))).toBe(true);
    expect(lines.some((l) => /alice \(100000000000000001\) trader stop \(button\) .*allowed: confirmed; stop exited/.test(l))).toBe(true);
    expect(lines.some((l) => /alice \(100000000000000001\) trader stop .*allowed: expired unanswered \(barista restarted\)/.test(l))).toBe(true);
    // Neither secret reached Discord or barista's output.
    const output = `${killed.stdoutLines().join('\n')}\n${killed.stderr}\n${barista.stdoutLines().join('\n')}\n${barista.stderr}\n${JSON.stringify(fake.messages)}`;
    expect(output.includes(fake.botToken)).toBe(false);
    expect(barista.exit).toBeNull();
  }, 90_000);

  it('under systemd (a user service), starts the trader as its own unit through systemd-run, says so, and stops it', async () => {
    barista.kill('SIGTERM');
    await barista.waitForExit();
    const stub = installSystemdStub(path.join(dir, 'systemd'));
    await startBarista({ INVOCATION_ID: '0123abcd', MANAGERPID: '4242', XDG_RUNTIME_DIR: path.join(dir, 'run'), PATH: `${stub.bin}:${process.env.PATH}` });

    const started = await confirmWith(fake.slash('trader start', { trader: 'trial250' }, 'alice'), 'alice');
    expect(text(started.question)).toContain('as its own systemd unit (systemd-run --user)');
    expect(text(started.outcome)).toMatch(/trial250 started: pid \d+, alive after .*start banner seen\. It runs as the systemd unit barista-trader-trial250-[0-9a-z]+\.service\./);
    const [pid] = traderPids();
    expect(readStat(pid!)!.ppid).not.toBe(barista.child.pid);
    expect(stub.calls().map((call) => call.argv[0])).toEqual(['--user']);
    // Its environment went by a file in barista's state folder, gone once the unit started.
    expect(readdirSync(path.join(dir, 'state', 'launch'))).toEqual([]);

    const stopped = await confirmWith(fake.slash('trader stop', {}, 'alice'), 'alice');
    expect(text(stopped.outcome)).toContain(`trial250 (pid ${pid}) exited`);
    expect(traderPids()).toEqual([]);
  }, 60_000);
});
