/** The fake Discord for tests: `const fake = await FakeDiscord.start(options)`. See FakeDiscord.ts. */
export { FakeDiscord, type FakeDiscordOptions, type RecordedRequest } from './FakeDiscord';
export { DISCORD_LIMITS, DISCORD_ERROR } from './discordLimits';
export { validateMessageBody, checkMessageBody, formatPath, discordLength, type BodyProblem } from './validateMessageBody';
export type { FakeChannel, FakeDmChannel, FakeFile, FakeMessage, FakeUser, FakeWebhook } from './discordPayloads';
export type { SlashOptionInput } from './commandOptions';
export { COMPONENT_LIMITS } from './validateComponents';
export type { FakeInteraction, FakeCommand, AddUserSpec, AutocompleteChoice, InteractionPlace } from './FakeWorld';
export type { FaultSpec, OutageSpec } from './scriptedFaults';
export { INTENTS, type GatewayFrame } from './FakeGateway';
