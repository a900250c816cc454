/**
 * Stand-ins for systemd-run and systemctl (systemd 252), for tests on machines where systemd is
 * not PID 1 and the real ones cannot run. installSystemdStub (index.ts) writes two executables,
 * `bin/systemd-run` and `bin/systemctl`, that run this file; the units they "start" are kept as
 * JSON in `units/` beside `bin/` (the service manager's memory).
 *
 * What is mimicked, as barista uses it:
 * - systemd-run [--user] [--uid= --gid=] --unit= [--description=] [--service-type=exec]
 *   [--collect] [--quiet] [--property=NAME=VALUE…] [--] COMMAND ARGS…: options are parsed the way
 *   getopt does (unknown ones: "unrecognized option", exit 1); the bus is found as the real one
 *   finds it (--user without XDG_RUNTIME_DIR / DBUS_SESSION_BUS_ADDRESS: "Failed to connect to
 *   bus: No medium found", exit 1); a relative COMMAND is looked up in systemd-run's own PATH
 *   ("Failed to find executable …"); a unit name already running is refused. The properties
 *   WorkingDirectory=, EnvironmentFile=[-]PATH (systemd's env-file syntax: KEY=VALUE, single and
 *   double quotes, backslash escapes in double quotes), StandardInput=null,
 *   StandardOutput=/StandardError= append:PATH | null are applied: the command is executed
 *   directly (no shell) in its own session, with exactly the file's environment plus what
 *   systemd adds to every service (INVOCATION_ID; MANAGERPID under a user manager), outside the
 *   caller's process tree. Like Type=exec, systemd-run returns 0 once the command was executed,
 *   and fails ("Job for UNIT failed.") when it could not be. --quiet: nothing printed on success,
 *   else "Running as unit: UNIT" on stderr. Any other property is refused ("Unknown assignment").
 * - systemctl [--user] show --property=NAME… UNIT: KEY=VALUE lines for MainPID, ExecMainPID,
 *   ExecMainCode, ExecMainStatus. A unit whose process ended is unloaded (as with --collect:
 *   the exit status is gone), so all four are 0, as for any unit systemd does not know. A unit
 *   of the other manager (--user or not) is not known either.
 * The arguments are expanded as the manager does ($NAME, ${NAME}, `$$`).
 * Not mimicked: the service manager's own environment block, cgroups, sandboxing properties.
 *
 * Every systemd-run call is recorded in `units/calls.jsonl`: its argv and its environment's
 * names (so tests can check what barista put on the command line and in the environment).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run by node directly */
const { spawn } = require('node:child_process');
const { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, accessSync, constants } = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const units = path.resolve(path.dirname(process.argv[1]), '..', 'units');
mkdirSync(units, { recursive: true });

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/**
 * getopt_long as systemd uses it: --name=value, --name value, short flags, `--` ends options;
 * systemd-run stops at its command (`+`), systemctl takes options anywhere (`permute`).
 */
function parseOptions(args, withValue, flags, permute = false) {
  const options = {};
  const properties = [];
  const operands = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (!permute) break;
      operands.push(arg);
      continue;
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flags.includes(name)) {
      options[name] = true;
      continue;
    }
    if (!withValue.includes(name)) fail(`${path.basename(process.argv[1])}: unrecognized option '${arg}'`);
    const value = inline !== undefined ? inline : args[++i];
    if (name === '--property' || name === '-p') properties.push(value);
    else options[name] = value;
  }
  return { options, properties, rest: [...operands, ...args.slice(i)] };
}

function checkBus(user) {
  if (user && !process.env.XDG_RUNTIME_DIR && !process.env.DBUS_SESSION_BUS_ADDRESS) fail('Failed to connect to bus: No medium found');
}

function startTicksOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? null : Number(fields[19]);
  } catch {
    return null;
  }
}

const unitFile = (unit) => path.join(units, `${unit}.json`);

/** The unit while its process runs; null once it ended (collected) or never was. */
function loadedUnit(unit, user) {
  if (!existsSync(unitFile(unit))) return null;
  const record = JSON.parse(readFileSync(unitFile(unit), 'utf8'));
  if (record.user !== user) return null;
  return startTicksOf(record.pid) === record.startTicks ? record : null;
}

/** systemd's env-file syntax (env-file.c), enough of it: comments, quotes, escapes. */
function parseEnvFile(text) {
  const env = {};
  for (const match of text.matchAll(/^[ \t]*([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\[\s\S])*"|'[^']*'|[^\n]*)/gm)) {
    const raw = match[2];
    let value = raw;
    if (raw.startsWith('"')) value = raw.slice(1, -1).replace(/\\([\s\S])/g, (all, c) => (c === '\n' ? '' : '"\\`$'.includes(c) ? c : all));
    else if (raw.startsWith("'")) value = raw.slice(1, -1);
    else value = raw.trim();
    env[match[1]] = value;
  }
  return env;
}

function findExecutable(name) {
  if (name.includes('/')) return name;
  for (const dir of (process.env.PATH || '').split(':')) {
    const file = path.join(dir, name);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch {
      // not here
    }
  }
  return fail(`Failed to find executable ${name}: No such file or directory`);
}

function systemdRun(args) {
  appendFileSync(path.join(units, 'calls.jsonl'), JSON.stringify({ argv: args, envNames: Object.keys(process.env).sort() }) + '\n');
  const { options, properties, rest } = parseOptions(
    args,
    ['--unit', '-u', '--property', '-p', '--description', '--service-type', '--uid', '--gid', '--setenv', '-E', '--slice', '--working-directory'],
    ['--user', '--system', '--collect', '-G', '--quiet', '-q', '--no-block', '--scope'],
  );
  const user = Boolean(options['--user']);
  checkBus(user);
  if (rest.length === 0) fail('Command line to execute required.');
  const unit = options['--unit'] || options['-u'] || `run-u${process.pid}.service`;
  if (loadedUnit(unit, user)) fail(`Failed to start transient service unit: Unit ${unit} was already loaded or has a fragment file.`);
  const command = findExecutable(rest[0]);
  let cwd = '/';
  let env = {};
  const stdio = ['ignore', 'ignore', 'ignore'];
  for (const property of properties) {
    const at = property.indexOf('=');
    const [name, value] = [property.slice(0, at), property.slice(at + 1)];
    if (name === 'WorkingDirectory') cwd = value;
    else if (name === 'EnvironmentFile') {
      const optional = value.startsWith('-');
      const file = optional ? value.slice(1) : value;
      try {
        env = { ...env, ...parseEnvFile(readFileSync(file, 'utf8')) };
      } catch (error) {
        if (!optional) return jobFailed(unit, user, `Failed to load environment files: ${error.code}`);
      }
    } else if (name === 'StandardInput' && value === 'null') stdio[0] = 'ignore';
    else if ((name === 'StandardOutput' || name === 'StandardError') && (value === 'null' || value.startsWith('append:'))) {
      stdio[name === 'StandardOutput' ? 1 : 2] = value === 'null' ? 'ignore' : openSync(value.slice('append:'.length), 'a');
    } else fail(`Unknown assignment: ${property}`);
  }
  env.INVOCATION_ID = crypto.randomBytes(16).toString('hex');
  // The manager expands $NAME / ${NAME} in the arguments at exec, `$$` being a literal `$`
  // (a whole-word $NAME splitting into several arguments is not mimicked).
  const expanded = rest.slice(1).map((arg) => arg.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (all, what, curly, bare) => (what === '$' ? '$' : (env[curly || bare] ?? ''))));
  if (user) env.MANAGERPID = String(process.ppid);
  let child;
  try {
    child = spawn(command, expanded, { cwd, env, stdio, detached: true, argv0: rest[0] });
  } catch (error) {
    return jobFailed(unit, user, error.code);
  }
  child.once('error', (error) => jobFailed(unit, user, error.code));
  child.once('spawn', () => {
    writeFileSync(unitFile(unit), JSON.stringify({ unit, user, pid: child.pid, startTicks: startTicksOf(child.pid), argv: rest, cwd, uid: options['--uid'] ?? null }));
    child.unref();
    if (!options['--quiet'] && !options['-q']) process.stderr.write(`Running as unit: ${unit}\n`);
    process.exit(0);
  });
}

function jobFailed(unit, user, why) {
  appendFileSync(path.join(units, 'journal.log'), `${unit}: ${why}\n`);
  const flag = user ? '--user ' : '';
  fail(`Job for ${unit} failed.\nSee "systemctl ${flag}status ${unit}" and "journalctl ${flag}-xeu ${unit}" for details.`);
}

function systemctl(args) {
  const { options, properties, rest } = parseOptions(args, ['--property', '-p'], ['--user', '--system', '--value'], true);
  const user = Boolean(options['--user']);
  checkBus(user);
  if (rest[0] !== 'show' || rest.length !== 2) fail(`stub systemctl: only "show UNIT" is mimicked, not ${rest.join(' ')}`);
  const record = loadedUnit(rest[1], user);
  const values = { MainPID: record ? record.pid : 0, ExecMainPID: record ? record.pid : 0, ExecMainCode: 0, ExecMainStatus: 0 };
  const wanted = properties.flatMap((p) => p.split(','));
  for (const [name, value] of Object.entries(values)) if (wanted.length === 0 || wanted.includes(name)) process.stdout.write(options['--value'] ? `${value}\n` : `${name}=${value}\n`);
}

module.exports = { run: (tool) => (tool === 'systemd-run' ? systemdRun : systemctl)(process.argv.slice(2)) };
