/**
 * Command answers → Discord replies: one renderer per answer kind, each giving one message that
 * fits Discord's limits and pings no one. `renderTextPreview([message], { now: answer.now })`
 * is the text form (CLI).
 */
import type { Answer } from '../../../readModel/answers';
import type { DiscordMessage } from '../../DiscordMessage';
import { renderEquitySeries } from './equitySeries';
import { renderHealth } from './health';
import { renderMutes } from './mutes';
import { renderNothingYet } from './nothingYet';
import { renderPortfolio } from './portfolio';
import { renderStatus } from './status';
import { renderTrades } from './trades';
import { renderTraderStatus } from './traderStatus';
import { renderTrainingSeries } from './trainingSeries';
import { renderTrainingStatus } from './trainingStatus';
import { renderUnknownName } from './unknownName';

/** The reply for any answer. A new kind of answer without a case here does not compile. */
export function renderAnswer(answer: Answer): DiscordMessage {
  switch (answer.kind) {
    case 'status':
      return renderStatus(answer);
    case 'portfolio':
      return renderPortfolio(answer);
    case 'trades':
      return renderTrades(answer);
    case 'trader-status':
      return renderTraderStatus(answer);
    case 'training-status':
      return renderTrainingStatus(answer);
    case 'health':
      return renderHealth(answer);
    case 'mutes':
      return renderMutes(answer);
    case 'equity-series':
      return renderEquitySeries(answer);
    case 'training-series':
      return renderTrainingSeries(answer);
    case 'unknown-name':
      return renderUnknownName(answer);
    case 'nothing-yet':
      return renderNothingYet(answer);
    default:
      return unreachable(answer);
  }
}

function unreachable(answer: never): never {
  throw new Error(`no renderer for answer kind ${String((answer as { kind?: unknown }).kind)}`);
}

export { chartFileName, periodText } from './chartParts';
export { renderEquitySeries } from './equitySeries';
export { renderHealth } from './health';
export { renderMutes } from './mutes';
export { renderNothingYet } from './nothingYet';
export { portfolioEmbed, renderPortfolio, type PortfolioEmbedOptions } from './portfolio';
export { renderStatus, statusLevel, type StatusLevel } from './status';
export { renderTrades } from './trades';
export { renderTraderStatus } from './traderStatus';
export { renderTrainingSeries } from './trainingSeries';
export { renderTrainingStatus } from './trainingStatus';
export { renderUnknownName } from './unknownName';
