/** Installs the systemd-run / systemctl stand-ins (stub.js) in `dir/bin`, their units in `dir/units`. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SystemdStub {
  /** Put first on PATH. */
  bin: string;
  /** Each systemd-run call: its argv and its environment's names. */
  calls(): { argv: string[]; envNames: string[] }[];
}

export function installSystemdStub(dir: string): SystemdStub {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['systemd-run', 'systemctl']) {
    const file = path.join(bin, tool);
    writeFileSync(file, `#!${process.execPath}\nrequire(${JSON.stringify(path.join(__dirname, 'stub.js'))}).run(${JSON.stringify(tool)});\n`);
    chmodSync(file, 0o755);
  }
  const callsFile = path.join(dir, 'units', 'calls.jsonl');
  return {
    bin,
    calls: () =>
      existsSync(callsFile)
        ? readFileSync(callsFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as { argv: string[]; envNames: string[] })
        : [],
  };
}
