/** The renderers' public API: events and command answers → Discord messages, and their plain-text preview. */
export { renderNotification, type RenderOptions } from './renderNotification';
export { renderEventEmbed } from './singleEventEmbed';
export { renderGroupEmbeds } from './renderGroup';
export { renderPortfolioSummary, portfolioAnswerFromSnapshot, type PortfolioSummaryOptions } from './portfolioSummary';
export * from './answers';
export { renderTextPreview, type TextPreviewOptions } from './textPreview';
export { DISCORD_LIMITS, ELLIPSIS, PLACEHOLDER, codeBlock, cutText, embedLength, fitEmbed, fitToDiscordLimits, type MessageDraft } from './discordLimits';
export { codeText, escapeMarkdown, isBlank, markdownText, neutralizeMentions, sanitizeText } from './sanitizeText';
