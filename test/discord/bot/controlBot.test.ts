/**
 * Control from Discord, in-process: barista's Commands (real discord.js) against the fake
 * Discord, with a real Controller acting on real decoy traders (test/support/decoys, copied into
 * a temp folder and matched by that folder, so no other process is ever touched). Users ask with
 * slash and `!` commands, confirm with buttons, and every attempt lands in the audit log.
 */
import { killRunningFrom } from '../../support/decoys/killRunningFrom';
import { copyFileSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { Commands } from '../../../src/agent/Commands';
import { parseRules } from '../../../src/config/loadRules';
import type { RulesFile } from '../../../src/config/schema';
import { procFinder } from '../../../src/control';
import { renderNotification } from '../../../src/discord/render';
import { createLogger } from '../../../src/logging/logger';
import { AuditLog, type AuditRow } from '../../../src/state/AuditLog';
import { CATALOGUE, writeCache } from '../../../src/readModel/catalogue';
import { MuteStore } from '../../../src/state/MuteStore';
import { PendingActionStore } from '../../../src/state/PendingActionStore';
import { StateStore } from '../../../src/state/StateStore';
import { FakeDiscord, type FakeInteraction, type FakeMessage } from '../../support/fakeDiscord';
import { useTempDir } from '../../support/tempDir';
import { waitFor } from '../../support/waitFor';

const PYTHON = '/usr/bin/python3';
const DECOYS = path.resolve(__dirname, '..', '..', 'support', 'decoys');
const TRADER = 'paper_trader_alpaca_polling.py';
const WORKER = '1_optimize_unified.py';
const EPHEMERAL = 1 << 6;
const ALICE = '100000000000000001'; // listed by id
const BOB = '100000000000000002'; // not listed
const DAVE = '100000000000000004'; // listed through the ops role
const CAROL = '100000000000000003'; // not listed

const tempDir = useTempDir('barista-controlbot-');
let root = '';
const ws = () => path.join(root, 'ws');
const script = (name: string) => path.join(root, 'scripts', name);
let fake: FakeDiscord | null = null;
let commands: Commands | null = null;
let state: StateStore | null = null;

beforeEach(() => {
  root = realpathSync(tempDir());
  for (const dir of ['logs', 'paper_trades', 'deployments/trial_250_live']) mkdirSync(path.join(ws(), dir), { recursive: true });
  mkdirSync(path.join(root, 'scripts'));
  for (const name of [TRADER, WORKER]) copyFileSync(path.join(DECOYS, name), script(name));
});

afterEach(async () => {
  await commands?.stop();
  commands = null;
  state?.close();
  state = null;
  await fake?.stop();
  fake = null;
  // Every process this test's scripts folder runs, found by that folder in its argv.
  await killRunningFrom(path.join(root, 'scripts'));
});

interface RulesOptions {
  confirm?: string;
  /** commands.rate, e.g. `{ burst: 3, per_second: 0.01 }`. */
  rate?: string;
  /** The decoy's own flags (default a 0.3 s poll sleep). */
  traderArgs?: string[];
  stop?: string;
  /** Another process class besides trader and training (a rules edit that changes match:). */
  extraClass?: string;
}

function rulesYaml(f: FakeDiscord, options: RulesOptions = {}): string {
  const suffix = (name: string) => `${path.basename(root)}/scripts/${name}`;
  const argv = [PYTHON, '-u', script(TRADER), '--model-dir', 'deployments/trial_250_live', '--log-file', 'paper_trades/trial250_session.csv', ...(options.traderArgs ?? ['--decoy-sleep', '0.3'])];
  return [
    `workspace: ${ws()}`,
    'sources:',
    '  - id: processes',
    '    type: process',
    `    match: { trader: "${suffix(TRADER)}", training: "${suffix(WORKER)}"${options.extraClass ? `, other: "${suffix(options.extraClass)}"` : ''} }`,
    `notify:\n  discord: { token: "${f.botToken}", api_base: "${f.apiBase}" }`,
    'commands:',
    `  confirm_timeout: ${options.confirm ?? '60s'}`,
    `  allow:\n    control: { users: ["${ALICE}"], roles: ["${f.roleId('ops')}"] }`,
    `  rate: ${options.rate ?? '{ burst: 1000, per_second: 100 }'}`,
    'control:',
    '  traders:',
    '    trial250:',
    '      start:',
    `        argv: ${JSON.stringify(argv)}`,
    '        log: logs/trial250.log',
    '        settle: 300ms',
    `      stop: ${options.stop ?? '{ signal: SIGINT, grace: 5s, wait: 5s }'}`,
  ].join('\n');
}

function rules(f: FakeDiscord, options: RulesOptions = {}): RulesFile {
  const result = parseRules(rulesYaml(f, options), path.join(root, 'rules.yaml'), {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules.config;
}

type BotOptions = RulesOptions & { interactionWindowMs?: number };

async function startBot(options: BotOptions = {}): Promise<{ fake: FakeDiscord; audit: AuditLog }> {
  const f = await FakeDiscord.start({
    users: [
      { id: ALICE, username: 'alice' },
      { id: BOB, username: 'bob' },
      { id: CAROL, username: 'carol' },
      { id: DAVE, username: 'dave', roles: ['ops'] },
    ],
  });
  fake = f;
  state = StateStore.open({ path: path.join(root, 'state.db') });
  await startCommands(f, options);
  return { fake: f, audit: new AuditLog(state) };
}

/** barista's command side on the test's state file (again, for a restart). */
async function startCommands(f: FakeDiscord, options: BotOptions = {}): Promise<void> {
  const logger = createLogger({ format: 'json', level: 'warn', destination: { write: () => undefined } as never });
  const config = rules(f, options);
  const match = (config.sources[0] as { match: Record<string, string> }).match;
  commands = new Commands(
    { state: state!, logger, mutes: new MuteStore(state!), fastReconnect: true, workspace: ws(), finder: procFinder({ classes: Object.entries(match) }), ...(options.interactionWindowMs !== undefined ? { interactionWindowMs: options.interactionWindowMs } : {}) },
    config,
  );
  await commands.apply(config);
  await waitFor(() => f.commands().length > 0, { what: 'slash commands registered' });
}

/** What a message says, markdown escapes undone. */
const text = (m: FakeMessage | null | undefined): string => [m?.content ?? '', ...(m?.embeds ?? []).map((e) => `${e.title ?? ''}\n${e.description ?? ''}`)].join('\n').replace(/\\(.)/g, '$1');
const buttons = (m: FakeMessage): Array<{ custom_id: string; label: string; disabled?: boolean }> =>
  ((m.components ?? []) as Array<{ components: Array<{ custom_id: string; label: string; disabled?: boolean }> }>).flatMap((row) => row.components);
/** Expired: the buttons are still there, every one disabled. */
const allDisabled = (m: FakeMessage | null | undefined): true | undefined => (m && buttons(m).length > 0 && buttons(m).every((b) => b.disabled === true) ? true : undefined);
const confirmId = (m: FakeMessage) => buttons(m).find((b) => b.label === 'Confirm')!.custom_id;
const cancelId = (m: FakeMessage) => buttons(m).find((b) => b.label === 'Cancel')!.custom_id;

/** The trader's processes now (the decoy's script in this test's folder). */
function traderPids(): number[] {
  const classes = Object.entries({ trader: `${path.basename(root)}/scripts/${TRADER}` });
  return procFinder({ classes })
    .find(['trader'])
    .map((p) => p.pid);
}

async function question(i: FakeInteraction, what: string): Promise<FakeMessage> {
  return waitFor(() => (i.original && buttons(i.original).length > 0 ? i.original : undefined), { what, timeoutMs: 5000 });
}

const tell = async (i: FakeInteraction, what: string) => waitFor(() => i.callbacks[0], { what, timeoutMs: 5000 });

/** Rows newest first, as [user, command, decision, outcome]. */
const rowsOf = (audit: AuditLog, n = 50) => audit.recent(n).map((r: AuditRow) => [r.userTag, r.command, r.decision, r.outcome]);

describe('control from Discord', () => {
  it('lets a user listed by id start the trader with /trader start and Confirm; the outcome follows up; all audited', async () => {
    const { fake, audit } = await startBot();
    const asked = fake.slash('trader start', { trader: 'trial250' }, 'alice');
    const q = await question(asked, 'the confirmation');
    expect(text(q)).toContain(`Start trial250: ${PYTHON} -u ${script(TRADER)}`);
    expect(q.flags & EPHEMERAL).toBe(0);
    expect(buttons(q).map((b) => b.label)).toEqual(['Confirm', 'Cancel']);
    expect(traderPids()).toEqual([]); // nothing before Confirm

    const press = fake.clickButton(q, confirmId(q), 'alice');
    await waitFor(() => press.callbacks.find((c) => c.type === 7), { what: 'the update' });
    const outcome = await waitFor(() => press.followups[0], { what: 'the outcome follow-up', timeoutMs: 10_000 });
    expect(text(outcome)).toMatch(/trial250 started: pid \d+/);
    expect(traderPids()).toHaveLength(1);
    // The question lost its buttons and says who confirmed.
    expect(buttons(press.original!)).toEqual([]);
    expect(text(press.original)).toContain('Confirmed by alice');
    await waitFor(() => audit.recent(5).some((r) => r.outcome === 'confirmed; start started'), { what: 'the settled audit rows' });
    expect(rowsOf(audit)).toEqual([
      ['alice', 'trader start (button)', 'allowed', 'confirmed; start started'],
      ['alice', 'trader start', 'allowed', 'confirmed; start started'],
    ]);
  }, 30_000);

  it('lets a user listed through a role stop the trader with !trader stop; someone else pressing, or a second press, does nothing more', async () => {
    const { fake, audit } = await startBot();
    // Start it first, through control.
    const start = await question(fake.slash('trader start', {}, 'alice'), 'start question');
    const startPress = fake.clickButton(start, confirmId(start), 'alice');
    await waitFor(() => startPress.followups[0], { what: 'started', timeoutMs: 10_000 });
    const [pid] = traderPids();

    const said = fake.userSays('general', '!trader stop trial250', 'dave');
    const q = await waitFor(() => fake.botMessages('general').find((m) => m.message_reference?.message_id === said.id), { what: '!trader stop answered' });
    expect(text(q)).toContain(`Send SIGINT to trial250 (pid ${pid}, up `);
    expect(text(q)).toContain('finishes its current poll');

    // bob is not the asker (and not listed): told so, privately; nothing happens.
    const bobPress = fake.clickButton(q, confirmId(q), 'bob');
    const bobAnswer = await tell(bobPress, "bob's press answered");
    expect(bobAnswer.type).toBe(4);
    expect(((bobAnswer.data as { flags?: number }).flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);
    expect(JSON.stringify(bobAnswer.data)).toContain('only dave can answer this');
    // alice may control, but did not ask: also refused.
    const alicePress = fake.clickButton(q, confirmId(q), 'alice');
    expect(JSON.stringify((await tell(alicePress, "alice's press answered")).data)).toContain('only dave can answer this');
    expect(traderPids()).toEqual([pid]);

    // dave presses twice before the first answer arrives: one stop.
    const first = fake.clickButton(q, confirmId(q), 'dave');
    const second = fake.clickButton(q, confirmId(q), 'dave');
    const outcome = await waitFor(() => first.followups[0] ?? second.followups[0], { what: 'the stop outcome', timeoutMs: 10_000 });
    expect(text(outcome)).toMatch(new RegExp(`trial250 \\(pid ${pid}\\) exited`));
    expect(traderPids()).toEqual([]);
    const answers = [first, second].map((i) => i.callbacks[0]?.type);
    expect(answers.sort()).toEqual([4, 7]);
    expect(first.followups.length + second.followups.length).toBe(1);

    const rows = rowsOf(audit);
    expect(rows.filter((r) => r[1] === 'trader stop (button)' && r[2] === 'allowed')).toEqual([['dave', 'trader stop (button)', 'allowed', 'confirmed; stop exited']]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['bob', 'trader stop (button)', 'denied', 'only dave can answer this'],
        ['alice', 'trader stop (button)', 'denied', 'only dave can answer this'],
        ['dave', 'trader stop (button)', 'denied', 'this was already confirmed'],
        ['dave', 'trader stop', 'allowed', 'confirmed; stop exited'],
      ]),
    );
  }, 30_000);

  it('refuses unlisted users (ephemeral slash, audited), answers DMs only from users listed by id, and Cancel does nothing', async () => {
    const { fake, audit } = await startBot();
    const denied = fake.slash('trader start', {}, 'bob');
    const refusal = await tell(denied, "bob's /trader start answered");
    expect(((refusal.data as { flags?: number }).flags ?? 0) & EPHEMERAL).toBe(EPHEMERAL);
    expect(JSON.stringify(refusal.data)).toContain('commands.allow.control');
    const deniedBang = fake.userSays('general', '!trader start', 'bob');
    await waitFor(() => fake.botMessages('general').find((m) => m.message_reference?.message_id === deniedBang.id), { what: "bob's !trader start answered" });

    // carol DMs: her slash gets a private refusal, her ! nothing; dave's role does not count in a DM.
    const carolSlash = fake.slash('trader start', {}, 'carol', { dm: true });
    expect(JSON.stringify((await tell(carolSlash, "carol's DM answered")).data)).toContain('direct messages only from users listed');
    fake.userSaysInDm('!trader start', 'dave');
    // alice is listed by id: her DM gets the question, in the DM, and Cancel ends it.
    const aliceSaid = fake.userSaysInDm('!trader start trial250', 'alice');
    const q = await waitFor(() => fake.dmMessages('alice').find((m) => m.message_reference?.message_id === aliceSaid.id), { what: "alice's DM question" });
    expect(buttons(q).map((b) => b.label)).toEqual(['Confirm', 'Cancel']);
    const cancel = fake.clickButton(q, cancelId(q), 'alice');
    await waitFor(() => cancel.callbacks.find((c) => c.type === 7), { what: 'cancelled' });
    expect(text(cancel.original)).toContain('nothing was done');
    expect(buttons(cancel.original!)).toEqual([]);
    expect(fake.dmMessages('dave')).toEqual([]);
    expect(traderPids()).toEqual([]);

    const rows = rowsOf(audit);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['bob', 'trader start', 'denied', 'control needs commands.allow.control (nobody is listed by default)'],
        ['carol', 'trader start', 'denied', 'barista answers direct messages only from users listed in its rules'],
        ['dave', 'trader start', 'denied', 'barista answers direct messages only from users listed in its rules'],
        ['alice', 'trader start (button)', 'allowed', 'cancelled'],
        ['alice', 'trader start', 'allowed', 'cancelled'],
      ]),
    );
    expect(rows.filter((r) => r[0] === 'bob')).toHaveLength(2);
  }, 30_000);

  it('expires a question (buttons disabled); a press after expiry, a forged custom_id and a replayed interaction do nothing but say why', async () => {
    const { fake, audit } = await startBot({ confirm: '1s' });
    const asked = fake.slash('trader start', {}, 'alice');
    const q = await question(asked, 'the question');
    const id = confirmId(q);
    await waitFor(() => allDisabled(asked.original), { what: 'the buttons disabled on expiry', timeoutMs: 5000 });
    expect(buttons(asked.original!).map((b) => b.label)).toEqual(['Confirm', 'Cancel']);
    expect(text(asked.original)).toContain('Nobody answered in time');
    await waitFor(() => audit.recent(5).some((r) => r.outcome === 'expired unanswered'), { what: 'the expiry audited' });
    // A stale client still shows the button: pressing it after expiry is refused.
    const late = fake.clickButton(q, id, 'alice', { crafted: true });
    expect(JSON.stringify((await tell(late, 'late press answered')).data)).toContain('this was already expired');

    // Forged: a well-formed id barista never made, and one of the wrong shape.
    const forgedId = `ctl:${'0'.repeat(24)}:ok`;
    const forged = fake.clickButton(q, forgedId, 'alice', { crafted: true });
    expect(JSON.stringify((await tell(forged, 'forged press answered')).data)).toContain('that action is unknown');
    const junk = fake.clickButton(q, 'ctl:$(rm -rf ~):ok', 'alice', { crafted: true });
    expect(JSON.stringify((await tell(junk, 'junk press answered')).data)).toContain('not one barista made');

    // A fresh question, confirmed, and the same interaction delivered twice: one start.
    const again = await question(fake.slash('trader start', {}, 'alice'), 'second question');
    const press = fake.clickButton(again, confirmId(again), 'alice');
    fake.redeliver(press);
    await waitFor(() => press.followups[0], { what: 'the start outcome', timeoutMs: 10_000 });
    expect(traderPids()).toHaveLength(1);
    expect(press.callbacks.map((c) => c.type)).toEqual([7]);
    expect(press.followups).toHaveLength(1);

    const rows = rowsOf(audit);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['alice', 'trader start', 'allowed', 'expired unanswered'],
        ['alice', 'trader start (button)', 'denied', 'this was already expired'],
        ['alice', 'button', 'denied', 'that action is unknown (a forged or forgotten button)'],
        ['alice', 'button', 'denied', 'that button is not one barista made'],
      ]),
    );
    // The replayed press is not even looked at again: one press row, no "already confirmed".
    expect(rows.filter((r) => r[1] === 'trader start (button)' && r[2] === 'allowed')).toHaveLength(1);
    expect(rows.filter((r) => r[3] === 'this was already confirmed')).toEqual([]);
  }, 30_000);

  it('asks which process when two match one trader (one button per pid), and posts a late outcome as a channel message', async () => {
    const { fake } = await startBot({ interactionWindowMs: 0 });
    const { spawn } = await import('node:child_process');
    for (let n = 0; n < 2; n += 1) {
      const child = spawn(PYTHON, ['-u', script(TRADER), '--model-dir', 'deployments/trial_250_live', '--log-file', 'paper_trades/trial250_session.csv', '--decoy-sleep', '0.3'], { cwd: ws(), stdio: 'ignore', detached: true });
      child.unref();
    }
    await waitFor(() => (traderPids().length === 2 ? true : undefined), { what: 'two decoy traders' });
    const pids = traderPids();
    const asked = fake.slash('trader stop', {}, 'alice');
    const pick = await question(asked, 'the pick');
    expect(buttons(pick).map((b) => b.label)).toEqual([...pids.map((p) => `pid ${p}`), 'Cancel']);
    const chosen = pids[1]!;
    const picked = fake.clickButton(pick, buttons(pick).find((b) => b.label === `pid ${chosen}`)!.custom_id, 'alice');
    await waitFor(() => picked.callbacks.find((c) => c.type === 7), { what: 'the pick answered' });
    const q = picked.original!;
    expect(text(q)).toContain(`Send SIGINT to trial250 (pid ${chosen}`);
    const press = fake.clickButton(q, confirmId(q), 'alice');
    // The interaction window is over (0 ms here): the outcome is a normal message in the channel.
    const outcome = await waitFor(() => fake.botMessages('general').find((m) => text(m).includes(`pid ${chosen}) exited`)), { what: 'the outcome in the channel', timeoutMs: 10_000 });
    expect(outcome.interaction_metadata ?? null).toBeNull();
    expect(press.followups).toEqual([]);
    expect(traderPids()).toEqual([pids[0]]);
  }, 30_000);

  it('refuses hostile names with the usage line, and /audit shows the log to control users only', async () => {
    const { fake } = await startBot();
    for (const bad of ['; rm -rf ~', '../../etc', '$(reboot)', '<@100000000000000002>', 'x'.repeat(10_000)]) {
      const said = fake.userSays('general', `!trader stop ${bad}`, 'alice');
      const reply = await waitFor(() => fake.botMessages('general').find((m) => m.message_reference?.message_id === said.id), { what: `!trader stop ${bad.slice(0, 20)} answered` });
      expect(text(reply)).toContain('Usage: `!trader stop [trader]`');
      expect(buttons(reply)).toEqual([]);
    }
    const slashBad = fake.slash('trader stop', { trader: '../../etc' }, 'alice');
    expect(JSON.stringify((await tell(slashBad, 'slash bad name')).data)).toContain('Usage: `/trader stop [trader]`');
    const log = fake.slash('audit', { count: 3 }, 'alice');
    const shown = await tell(log, '/audit answered');
    expect(JSON.stringify(shown.data)).toContain('trader stop');
    const refused = fake.slash('audit', {}, 'bob');
    expect(JSON.stringify((await tell(refused, "bob's /audit")).data)).toContain('commands.allow.control');
    expect(traderPids()).toEqual([]);
  }, 30_000);

  it('acts on the buttons of an alert sent as the bot: Mute 1 h for who may mute, Restart trader through the same confirmation', async () => {
    const { fake, audit } = await startBot();
    // A trader to restart, started through control.
    const start = await question(fake.slash('trader start', {}, 'alice'), 'start question');
    const startPress = fake.clickButton(start, confirmId(start), 'alice');
    await waitFor(() => startPress.followups[0], { what: 'started', timeoutMs: 10_000 });
    const [oldPid] = traderPids();

    // The alert as the notification pipeline renders it, posted into a channel as the bot.
    const stale = { id: 'ev1', type: 'trader.stale', severity: 'warning' as const, at: new Date().toISOString(), source: 'heartbeats', subject: 'trial250', fields: {} };
    const [body] = renderNotification({ channel: 'alerts', route: 0, groupKey: 'k', groupLabels: {}, events: [stale], silent: false });
    const general = fake.channel('general');
    const response = await fetch(`${fake.apiBase}/v10/channels/${general.id}/messages`, { method: 'POST', headers: { authorization: `Bot ${fake.botToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    const alert = fake.botMessages('general').find((m) => buttons(m).some((b) => b.label === 'Restart trader'))!;
    const muteId = buttons(alert).find((b) => b.label === 'Mute 1 h')!.custom_id;
    const restartId = buttons(alert).find((b) => b.label === 'Restart trader')!.custom_id;

    const bobMute = fake.clickButton(alert, muteId, 'bob');
    expect(JSON.stringify((await tell(bobMute, "bob's mute")).data)).toContain('commands.allow.mute');
    const aliceMute = fake.clickButton(alert, muteId, 'alice');
    expect(JSON.stringify((await tell(aliceMute, "alice's mute")).data)).toMatch(/Mute #1 by alice/);
    expect(new MuteStore(state!).listActive()).toEqual([expect.objectContaining({ matcher: { type: 'trader.stale', subject: 'trial250' }, createdBy: 'alice' })]);

    const bobRestart = fake.clickButton(alert, restartId, 'bob');
    expect(JSON.stringify((await tell(bobRestart, "bob's restart")).data)).toContain('commands.allow.control');
    expect(traderPids()).toEqual([oldPid]);
    const aliceRestart = fake.clickButton(alert, restartId, 'alice');
    const q = await waitFor(() => (aliceRestart.original && buttons(aliceRestart.original).length ? aliceRestart.original : undefined), { what: 'the restart question' });
    expect(q.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(text(q)).toContain(`Restart trial250: Send SIGINT to trial250 (pid ${oldPid}`);
    const confirm = fake.clickButton(q, confirmId(q), 'alice');
    const outcome = await waitFor(() => confirm.followups[0], { what: 'the restart outcome', timeoutMs: 15_000 });
    expect(text(outcome)).toContain(`trial250 (pid ${oldPid}) exited`);
    expect(text(outcome)).toMatch(/trial250 started: pid \d+/);
    expect(traderPids()).toHaveLength(1);
    expect(traderPids()).not.toContain(oldPid);
    expect(rowsOf(audit)).toEqual(
      expect.arrayContaining([
        ['bob', 'mute (button)', 'denied', 'muting needs commands.allow.mute (nobody is listed by default)'],
        ['alice', 'mute (button)', 'allowed', 'mute #1 on {"type":"trader.stale","subject":"trial250"} for 1h'],
        ['bob', 'trader restart (button)', 'denied', 'control needs commands.allow.control (nobody is listed by default)'],
        ['alice', 'trader restart (button)', 'allowed', 'confirmed; stop exited, start started'],
      ]),
    );
  }, 30_000);

  it('checks the presser against the rules in force: a user removed from allow.control by a rules edit can no longer confirm', async () => {
    const { fake, audit } = await startBot();
    const q = await question(fake.slash('trader start', {}, 'alice'), 'the question');
    const edited = rules(fake);
    edited.commands.allow.control = { users: [], roles: [fake.roleId('ops')] };
    await commands!.apply(edited);
    const press = fake.clickButton(q, confirmId(q), 'alice');
    expect(JSON.stringify((await tell(press, 'press after the edit')).data)).toContain('commands.allow.control');
    expect(traderPids()).toEqual([]);
    expect(rowsOf(audit, 1)).toEqual([['alice', 'trader start (button)', 'denied', 'control needs commands.allow.control (nobody is listed by default)']]);
  }, 30_000);

  it('acts once on a slash command or a ! message delivered twice: one question, one audit row each', async () => {
    const { fake, audit } = await startBot();
    const asked = fake.slash('trader start', {}, 'alice');
    const q = await question(asked, 'the slash question');
    fake.redeliver(asked);
    const said = fake.userSays('general', '!trader start', 'dave');
    const answered = () => fake.botMessages('general').filter((m) => m.message_reference?.message_id === said.id);
    await waitFor(() => answered()[0], { what: '!trader start answered' });
    fake.redeliverMessage(said);
    // Events are handled in the order they arrive: once this is answered, both replays were seen.
    await tell(fake.slash('audit', {}, 'alice'), 'the marker');
    expect(asked.callbacks).toHaveLength(1);
    expect(answered()).toHaveLength(1);
    expect(rowsOf(audit).filter((r) => r[1] === 'trader start')).toEqual([
      ['dave', 'trader start', 'allowed', expect.stringMatching(/^asked to confirm: Start trial250/)],
      ['alice', 'trader start', 'allowed', expect.stringMatching(/^asked to confirm: Start trial250/)],
    ]);
    // The one question still works, once.
    const press = fake.clickButton(q, confirmId(q), 'alice');
    await waitFor(() => press.followups[0], { what: 'the start outcome', timeoutMs: 10_000 });
    expect(traderPids()).toHaveLength(1);
  }, 30_000);

  it('rate limits button presses per user (commands.rate): told once, then ignored; audited; other users unaffected', async () => {
    const { fake, audit } = await startBot({ rate: '{ burst: 3, per_second: 0.01 }' });
    const q = await question(fake.slash('trader start', {}, 'alice'), 'the question');
    const presses = Array.from({ length: 5 }, () => fake.clickButton(q, confirmId(q), 'bob'));
    const cancel = fake.clickButton(q, cancelId(q), 'alice');
    await waitFor(() => cancel.callbacks.find((c) => c.type === 7), { what: "alice's cancel" });
    // Presses are handled in order: bob's five were all handled before alice's.
    await waitFor(() => (presses.slice(0, 4).every((p) => p.callbacks.length === 1) ? true : undefined), { what: "bob's first four answered" });
    expect(presses.slice(0, 3).map((p) => JSON.stringify(p.callbacks[0]!.data))).toEqual(Array(3).fill(expect.stringContaining('only alice can answer this')));
    expect(JSON.stringify(presses[3]!.callbacks[0]!.data)).toContain('Too many commands at once');
    expect((presses[3]!.callbacks[0]!.data as { flags?: number }).flags! & EPHEMERAL).toBe(EPHEMERAL);
    expect(presses[4]!.callbacks).toEqual([]);
    expect(rowsOf(audit).filter((r) => r[0] === 'bob')).toEqual([
      ['bob', 'button', 'denied', 'rate limited (commands.rate); retry in 100 s'],
      ...Array(3).fill(['bob', 'trader start (button)', 'denied', 'only alice can answer this']),
    ]);
    expect(traderPids()).toEqual([]);
  }, 30_000);

  it('after a restart, questions the previous run left open are expired, audited, and their buttons disabled; pressing one is refused', async () => {
    const { fake, audit } = await startBot();
    const slash = await question(fake.slash('trader start', {}, 'alice'), 'the slash question');
    const said = fake.userSays('general', '!trader start', 'dave');
    const bang = await waitFor(() => fake.botMessages('general').find((m) => m.message_reference?.message_id === said.id), { what: "dave's question" });
    const dmSaid = fake.userSaysInDm('!trader start', 'alice');
    const dm = await waitFor(() => fake.dmMessages('alice').find((m) => m.message_reference?.message_id === dmSaid.id), { what: "alice's DM question" });
    const oldConfirm = confirmId(slash);
    for (const m of [slash, bang, dm]) expect(buttons(m).length).toBe(2);
    // barista learns each message's id from Discord's answer: wait until all three are noted.
    const pending = new PendingActionStore(state!);
    await waitFor(() => [slash, bang, dm].every((m) => pending.get(/^ctl:(\w+):/.exec(confirmId(m))![1]!)?.message) || undefined, { what: 'the questions noted in state' });

    // barista stops (its expiry timers and interactions end with it) and starts again.
    await commands!.stop();
    await startCommands(fake);
    for (const [m, what] of [[slash, 'the slash question'], [bang, "dave's question"], [dm, 'the DM question']] as const) {
      await waitFor(() => allDisabled(m), { what: `${what} with its buttons disabled`, timeoutMs: 10_000 });
      expect(text(m)).toContain('barista restarted before anyone answered; nothing was done');
    }
    expect(rowsOf(audit).filter((r) => r[1] === 'trader start')).toEqual(
      expect.arrayContaining([
        ['alice', 'trader start', 'allowed', 'expired unanswered (barista restarted)'],
        ['dave', 'trader start', 'allowed', 'expired unanswered (barista restarted)'],
      ]),
    );
    expect(rowsOf(audit).filter((r) => r[3] === 'expired unanswered (barista restarted)')).toHaveLength(3);
    // A client still showing the old button: refused, audited.
    const late = fake.clickButton(slash, oldConfirm, 'alice', { crafted: true });
    expect(JSON.stringify((await tell(late, 'the late press')).data)).toContain('this was already expired');
    expect(rowsOf(audit, 1)).toEqual([['alice', 'trader start (button)', 'denied', 'this was already expired']]);
    expect(traderPids()).toEqual([]);
  }, 30_000);

  it('stop: the answer says what to expect while the trader still runs; escalation to then: is said; a rules edit meanwhile loses no outcome', async () => {
    const options = { traderArgs: ['--decoy-ignore-sigint', '--decoy-sleep', '0.2'], stop: '{ signal: SIGINT, grace: 2s, then: SIGTERM }' };
    const { fake, audit } = await startBot(options);
    const start = await question(fake.slash('trader start', {}, 'alice'), 'start question');
    const startPress = fake.clickButton(start, confirmId(start), 'alice');
    await waitFor(() => startPress.followups[0], { what: 'started', timeoutMs: 10_000 });
    const [pid] = traderPids();

    // The trader's heartbeat (as the json source caches it) says when its next poll is due.
    const next = new Date(Date.now() + 40 * 60_000);
    writeCache(state!, CATALOGUE.heartbeat.of('trial250'), { timestamp: null, last_poll_completed: null, next_poll_scheduled: next.toISOString(), poll_count: 1, poll_interval: 3600, timeframe: '1h', tickers: ['BTC/USD'], pid, status: 'running' });
    const q = await question(fake.slash('trader stop', {}, 'alice'), 'the stop question');
    expect(text(q)).toContain(`Send SIGINT to trial250 (pid ${pid}, up `);
    expect(text(q)).toContain(`trial250 finishes its current poll; next poll due ${next.toISOString().slice(11, 16)} UTC; if it still runs after 2 s, barista sends SIGTERM`);
    const press = fake.clickButton(q, confirmId(q), 'alice');
    await waitFor(() => press.callbacks.find((c) => c.type === 7), { what: 'the answer to Confirm' });
    // The answer is there at once, the trader still runs (it ignores SIGINT; SIGTERM comes after 2 s).
    expect(traderPids()).toEqual([pid]);
    expect(text(press.original)).toContain('What to expect: trial250 finishes its current poll');
    expect(text(press.original)).toContain('The outcome follows when it is known.');
    // A rules edit that changes the process match replaces the Controller; the old one finishes this stop.
    await commands!.apply(rules(fake, { ...options, extraClass: 'other_script.py' }));
    const outcome = await waitFor(() => press.followups[0], { what: 'the stop outcome', timeoutMs: 15_000 });
    expect(text(outcome)).toMatch(new RegExp(`trial250 \\(pid ${pid}\\) exited .* after SIGINT then SIGTERM, signal SIGTERM \\(escalated\\)`));
    expect(traderPids()).toEqual([]);
    await waitFor(() => audit.recent(5).find((r) => r.outcome === 'confirmed; stop exited'), { what: 'the stop audited' });
  }, 30_000);

  it('autocompletes trader names from control: and workers from the running training processes', async () => {
    const { fake } = await startBot();
    const { spawn } = await import('node:child_process');
    const worker = spawn(PYTHON, ['-u', script(WORKER), '--study-name', 'cappuccino_5m'], { cwd: ws(), stdio: 'ignore', detached: true });
    worker.unref();
    const traders = fake.autocomplete('trader', [{ type: 1, name: 'start', options: [{ type: 3, name: 'trader', value: 'tri', focused: true }] }], 'alice');
    expect(await fake.waitForChoices(traders)).toEqual([{ name: 'trial250', value: 'trial250' }]);
    const workers = procFinder({ classes: [['training', `${path.basename(root)}/scripts/${WORKER}`]] });
    await waitFor(() => workers.find(['training']).some((p) => p.pid === worker.pid) || undefined, { what: 'the worker running' });
    const choices = await fake.waitForChoices(fake.autocomplete('training', [{ type: 1, name: 'pause', options: [{ type: 3, name: 'worker', value: '', focused: true }] }], 'alice'));
    expect(choices.map((c) => c.value)).toEqual(['all', 'cappuccino_5m', String(worker.pid)]);
  }, 30_000);
});
