/** Scripted runs several end-to-end tests share. */
import type { TraderSimulator } from './TraderSimulator';

/** Twelve bars, a scripted ETH/USD position, then a 20 % ETH crash: trades, then a stop-loss. */
export function playBuyThenCrash(sim: TraderSimulator, trader = 'trial250'): void {
  sim.start();
  sim.stepBars(12);
  sim.script(trader, { actions: { 'ETH/USD': 0.6 } });
  sim.stepBars(1);
  sim.script(trader, { crash: { symbol: 'ETH/USD', pct: 0.2 } });
  sim.stepBars(3);
}
