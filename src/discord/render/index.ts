/** The renderers' public API: events → Discord messages, and their plain-text preview. */
export { renderNotification, type RenderOptions } from './renderNotification';
export { renderEventEmbed } from './singleEventEmbed';
export { renderGroupEmbeds } from './renderGroup';
export { renderPortfolioSummary, portfolioSummaryEmbed, type PortfolioSnapshot, type PortfolioPosition, type PortfolioSummaryOptions } from './portfolioSummary';
export { renderSystemStatus, systemStatusEmbed, type SystemStatus, type ProcessStatus, type SystemStatusOptions } from './systemStatus';
export { renderTextPreview, type TextPreviewOptions } from './textPreview';
export { DISCORD_LIMITS, ELLIPSIS, PLACEHOLDER, codeBlock, cutText, embedLength, fitEmbed, fitToDiscordLimits, type MessageDraft } from './discordLimits';
export { codeText, escapeMarkdown, isBlank, markdownText, neutralizeMentions, sanitizeText } from './sanitizeText';
