import { readFileSync } from 'node:fs';
import path from 'node:path';
import { baristaHome } from '../paths';

/** barista's version from its package.json. */
export function versionOf(): string {
  return (JSON.parse(readFileSync(path.join(baristaHome(), 'package.json'), 'utf8')) as { version: string }).version;
}
