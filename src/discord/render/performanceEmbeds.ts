/** Derived performance rules of a trader (drawdown, alpha, Sharpe, concentration), raised and recovered. */
import type { BaristaEvent } from '../../model/BaristaEvent';
import { alertDesign } from './alertEmbeds';
import { cutText } from './discordLimits';
import type { EventDesign, FieldSpec } from './eventEmbed';
import { subjectOf } from './eventStyle';
import { money, number, signedPercent, percent, time } from './fieldFormats';
import { markdownText } from './sanitizeText';

const who = (event: BaristaEvent): string => markdownText(cutText(subjectOf(event), 120));

function performanceDesign(what: string, fields: readonly FieldSpec[]): EventDesign {
  return alertDesign((event) => `${what} · ${who(event)}`, { fields, hidden: ['trader', 'file'] });
}

const SINCE: FieldSpec = { key: 'since', label: 'Since', format: time };

export const performanceDesigns: Record<string, EventDesign> = {
  'performance.drawdown': performanceDesign('📉 Drawdown', [
    { key: 'drawdown_pct', label: 'Drawdown', format: percent },
    { key: 'peak', label: 'Peak', format: money },
    { key: 'total', label: 'Now', format: money },
    { key: 'above_pct', label: 'Limit', format: percent },
  ]),
  'performance.drawdown_recovered': performanceDesign('✅ Drawdown recovered', [
    { key: 'drawdown_pct', label: 'Drawdown', format: percent },
    { key: 'worst_drawdown_pct', label: 'Worst', format: percent },
    SINCE,
  ]),
  'performance.alpha_decay': performanceDesign('🐢 Alpha decay', [
    { key: 'alpha_pct', label: 'Alpha', format: signedPercent },
    { key: 'strategy_return_pct', label: 'Strategy', format: signedPercent },
    { key: 'benchmark_return_pct', label: 'Benchmark', format: signedPercent },
    { key: 'benchmark', label: 'vs' },
    { key: 'window', label: 'Window' },
  ]),
  'performance.alpha_recovered': performanceDesign('✅ Alpha recovered', [
    { key: 'alpha_pct', label: 'Alpha', format: signedPercent },
    { key: 'worst_alpha_pct', label: 'Worst', format: signedPercent },
    SINCE,
  ]),
  'performance.sharpe_low': performanceDesign('📊 Low Sharpe', [
    { key: 'sharpe', label: 'Sharpe', format: number },
    { key: 'below', label: 'Threshold', format: number },
    { key: 'window', label: 'Window' },
  ]),
  'performance.sharpe_recovered': performanceDesign('✅ Sharpe recovered', [
    { key: 'sharpe', label: 'Sharpe', format: number },
    { key: 'worst_sharpe', label: 'Worst', format: number },
    SINCE,
  ]),
  'performance.concentration': performanceDesign('🎯 Concentrated', [
    { key: 'symbol', label: 'Symbol' },
    { key: 'share_pct', label: 'Share of total', format: percent },
    { key: 'position_value', label: 'Position', format: money },
    { key: 'above_pct', label: 'Limit', format: percent },
  ]),
  'performance.concentration_recovered': performanceDesign('✅ Concentration back under the limit', [
    { key: 'share_pct', label: 'Largest share', format: percent },
    { key: 'worst_share_pct', label: 'Worst', format: percent },
    SINCE,
  ]),
};
