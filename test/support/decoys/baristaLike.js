/**
 * A stand-in for barista in control tests: a node process that loads a rules file and acts
 * through the compiled control layer, like the agent will. `start` prints the outcome as one
 * JSON line and stays alive (to be SIGKILLed); `stop` prints the plan and the outcome, then exits.
 * Its own command line holds no monitored script's name: only this file and the rules file.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, run by node directly */
/* global __dirname, setInterval */
const { readFileSync } = require('node:fs');
const path = require('node:path');
const dist = path.resolve(__dirname, '..', '..', '..', 'dist', 'src');
const { parseRules } = require(path.join(dist, 'config', 'loadRules'));
const { Controller, procFinder } = require(path.join(dist, 'control'));

const [action, rulesFile] = process.argv.slice(2);
const parsed = parseRules(readFileSync(rulesFile, 'utf8'), rulesFile, {});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const config = parsed.rules.config;
const workspace = path.resolve(path.dirname(rulesFile), config.workspace);
const processes = config.sources.find((s) => s.type === 'process');
const controller = new Controller({ control: config.control, workspace, finder: procFinder({ classes: Object.entries(processes.match) }), env: process.env });
const say = (what) => process.stdout.write(JSON.stringify(what) + '\n');

(async () => {
  const plan = action === 'start' ? controller.planStart() : controller.planStop();
  say({ plan });
  if (plan.refused) process.exit(1);
  const outcome = await controller.execute(plan);
  say({ outcome });
  if (action === 'start') setInterval(() => {}, 60_000);
})();
