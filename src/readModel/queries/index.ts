/** The queries commands, digests and the CLI ask; each pure over the read model. */
export { statusAnswer, hostView } from './statusAnswer';
export { portfolioAnswer, positionsOf } from './portfolioAnswer';
export { tradesAnswer, DEFAULT_TRADES, MAX_TRADES } from './tradesAnswer';
export { traderStatusAnswer } from './traderStatusAnswer';
export { trainingStatusAnswer } from './trainingStatusAnswer';
export { healthAnswer, type RuntimeInfo } from './healthAnswer';
export { mutesAnswer } from './mutesAnswer';
export { equitySeriesAnswer } from './equitySeriesAnswer';
export { trainingSeriesAnswer } from './trainingSeriesAnswer';
export { traderNames, studyNames, resolveName } from './names';
export { traderState } from './traderViews';
