/**
 * The `/status` answer as plain text for `barista status` (until the shared text renderer of
 * src/discord/render takes over). Times are shown in UTC so the output does not depend on TZ.
 */
import type { StatusAnswer } from '../readModel/answers';

const money = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const signed = (n: number) => `${n >= 0 ? '+' : '−'}${money(Math.abs(n))}`;
const pct = (n: number | null | undefined) => (n === null || n === undefined ? '?' : `${n.toFixed(1)}%`);
const utc = (ms: number | null) => (ms === null ? '?' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

export function statusText(answer: StatusAnswer): string {
  const lines: string[] = [`barista status at ${utc(answer.now)}`, ''];
  lines.push('Traders');
  if (answer.traders.length === 0) lines.push('  none seen yet');
  for (const { process: p, portfolio } of answer.traders) {
    lines.push(`  ${p.trader}: ${p.state}${p.stateReason ? ` (${p.stateReason})` : ''}${p.pid !== null ? `, pid ${p.pid}` : ''}`);
    if (portfolio) {
      const since = portfolio.pnlSinceStart ? `, ${signed(portfolio.pnlSinceStart.amount)} (${pct(portfolio.pnlSinceStart.percent)}) since ${utc(portfolio.pnlSinceStart.since)}` : '';
      const day = portfolio.pnl24h ? `, 24 h ${signed(portfolio.pnl24h.amount)} (${pct(portfolio.pnl24h.percent)})` : '';
      lines.push(`    total ${money(portfolio.total)}, cash ${money(portfolio.cash)}, invested ${money(portfolio.invested)} at ${utc(portfolio.at)}${since}${day}`);
    }
    if (p.nextPollAt !== null) lines.push(`    last poll ${utc(p.lastPollAt)}, next ${utc(p.nextPollAt)}${p.pollCount !== null ? `, poll #${p.pollCount}` : ''}`);
  }
  lines.push('', 'Training');
  const w = answer.training.workers;
  lines.push(`  workers: ${w.running} running${w.paused ? `, ${w.paused} paused` : ''}${w.expected !== null ? ` of ${w.expected} expected` : ''}`);
  if (answer.training.studies.length === 0) lines.push('  no study seen yet');
  for (const s of answer.training.studies) {
    const counts = Object.entries(s.counts)
      .filter(([, n]) => n > 0)
      .map(([state, n]) => `${n} ${state.toLowerCase()}`)
      .join(', ');
    const best = s.bestNumber !== null ? `, best #${s.bestNumber} = ${s.bestValue ?? '±inf'} (${s.direction})` : '';
    const target = s.target !== null ? `, target ${s.target}${s.etaS !== null ? `, ETA ${duration(s.etaS)}` : ''}` : '';
    lines.push(`  ${s.study}: ${counts || 'no trials'}${best}${target}`);
  }
  lines.push('', 'Host');
  const h = answer.host;
  if (!h) lines.push('  not watched (no process source)');
  else {
    lines.push(`  CPU ${pct(h.cpuPercent)} of ${h.cpuCount ?? '?'} cores; memory ${pct(h.memory?.usedPercent)}${h.memory ? ` of ${gb(h.memory.totalBytes)}` : ''}; disk ${pct(h.disk?.usedPercent)}${h.disk ? ` (${gb(h.disk.freeBytes)} free on ${h.disk.path})` : ''}`);
    for (const g of h.gpus) lines.push(`  GPU ${g.index} ${g.model ?? ''}: ${pct(g.utilizationPercent)}, ${g.memoryUsedMb ?? '?'}/${g.memoryTotalMb ?? '?'} MB, ${g.temperatureC ?? '?'} °C`);
  }
  const b = answer.barista;
  lines.push('', 'barista', `  sources ${b.sourcesOk}/${b.sourcesTotal} ok; outbox ${b.outboxPending} pending${b.oldestPendingS !== null ? `, oldest ${duration(b.oldestPendingS)}` : ''}`);
  return `${lines.join('\n')}\n`;
}
