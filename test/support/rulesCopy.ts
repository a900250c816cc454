/**
 * A copy of the shipped config/rules.yaml with the few changes an end-to-end test needs, made on
 * the YAML document so everything else (sources, rules, routes, `${VAR}` settings) stays as shipped.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { ROOT } from './baristaProcess';

export const SHIPPED_RULES = path.join(ROOT, 'config', 'rules.yaml');

export interface RulesCopyOptions {
  /** Source ids left out, e.g. `processes` (it needs real processes and judges this machine's load). */
  withoutSources?: readonly string[];
  /** notify.defaults overrides, e.g. `{ group_wait: '300ms' }`. */
  defaults?: Partial<Record<'group_wait' | 'group_interval' | 'repeat_interval', string>>;
  /**
   * Every channel `X` gets a twin `X_webhook` delivered through DISCORD_WEBHOOK_URL, and every route
   * to `X` also goes to its twin: with a bot token and channel ids set, one run then delivers
   * the same notifications to bot channels and to a webhook.
   */
  webhookTwins?: boolean;
  /** Values set at a path of the document, e.g. `[['commands', 'rate'], { burst: 100, per_second: 100 }]`. */
  set?: ReadonlyArray<readonly [path: readonly (string | number)[], value: unknown]>;
}

export function writeRulesCopy(file: string, options: RulesCopyOptions = {}): string {
  const doc = parseDocument(readFileSync(SHIPPED_RULES, 'utf8'));
  const sources = doc.get('sources') as YAMLSeq<YAMLMap>;
  for (const id of options.withoutSources ?? []) {
    const index = sources.items.findIndex((source) => source.get('id') === id);
    if (index < 0) throw new Error(`rules copy: no source ${id} in ${SHIPPED_RULES}`);
    sources.delete(index);
  }
  for (const [key, value] of Object.entries(options.defaults ?? {})) doc.setIn(['notify', 'defaults', key], value);
  if (options.webhookTwins) {
    const channels = doc.getIn(['notify', 'channels']) as YAMLMap;
    const names = channels.items.map((pair) => String(pair.key));
    for (const name of names) doc.setIn(['notify', 'channels', `${name}_webhook`], doc.createNode({ webhook: '${DISCORD_WEBHOOK_URL}' }));
    for (const route of (doc.getIn(['notify', 'routes']) as YAMLSeq<YAMLMap>).items) {
      const to = route.get('to');
      if (to === undefined) continue;
      const targets = isSeq(to) ? (to.toJSON() as string[]) : [String(to)];
      route.set('to', doc.createNode([...targets, ...targets.map((target) => `${target}_webhook`)], { flow: true }));
    }
  }
  for (const [at, value] of options.set ?? []) doc.setIn(at, doc.createNode(value));
  writeFileSync(file, doc.toString());
  return file;
}
