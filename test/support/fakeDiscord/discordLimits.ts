/**
 * Discord's message limits, in one place (API v10, as documented by Discord and as the real API
 * answers). Lengths are counted in Unicode code points, as Discord (Python) counts them; a
 * renderer that truncates by UTF-16 `.length` stays within them (it is stricter).
 *
 * | what                                   | limit | answer when exceeded (400, code 50035 "Invalid Form Body") |
 * |----------------------------------------|-------|-------------------------------------------------------------|
 * | content                                | 2000  | content: BASE_TYPE_MAX_LENGTH                               |
 * | embeds per message                     | 10    | embeds: BASE_TYPE_MAX_LENGTH                                |
 * | embed title                            | 256   | embeds[i].title: BASE_TYPE_MAX_LENGTH                       |
 * | embed description                      | 4096  | embeds[i].description: BASE_TYPE_MAX_LENGTH                 |
 * | fields per embed                       | 25    | embeds[i].fields: BASE_TYPE_MAX_LENGTH                      |
 * | field name (required, not blank)       | 256   | embeds[i].fields[j].name: BASE_TYPE_REQUIRED / MAX_LENGTH   |
 * | field value (required, not blank)      | 1024  | embeds[i].fields[j].value: BASE_TYPE_REQUIRED / MAX_LENGTH  |
 * | footer text                            | 2048  | embeds[i].footer.text: BASE_TYPE_MAX_LENGTH                 |
 * | author name                            | 256   | embeds[i].author.name: BASE_TYPE_MAX_LENGTH                 |
 * | all embeds of a message together       | 6000  | embeds: MAX_EMBED_SIZE_EXCEEDED                             |
 * | color                                  | 0xFFFFFF | embeds[i].color: NUMBER_TYPE_MAX                         |
 * | nonce (bot messages)                   | 25    | nonce: BASE_TYPE_MAX_LENGTH                                 |
 * | webhook username                       | 1–80, no "discord"/"clyde" | username: USERNAME_INVALID...  |
 *
 * The 6000 total counts title + description + field names + field values + footer text + author name.
 * A message with neither content (non-blank) nor embeds is answered 400 code 50006 "Cannot send an empty message".
 */
export const DISCORD_LIMITS = {
  contentLength: 2000,
  embedsPerMessage: 10,
  embedTitle: 256,
  embedDescription: 4096,
  fieldsPerEmbed: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  embedTotalCharacters: 6000,
  maxColor: 0xffffff,
  nonceLength: 25,
  webhookUsername: 80,
} as const;

/** Discord's JSON error codes the fake answers with. */
export const DISCORD_ERROR = {
  unknownChannel: { code: 10003, message: 'Unknown Channel' },
  unknownMessage: { code: 10008, message: 'Unknown Message' },
  unknownWebhook: { code: 10015, message: 'Unknown Webhook' },
  unknownInteraction: { code: 10062, message: 'Unknown interaction' },
  unauthorized: { code: 0, message: '401: Unauthorized' },
  notFound: { code: 0, message: '404: Not Found' },
  notAuthorizedForApplication: { code: 20012, message: 'You are not authorized to perform this action on this application' },
  emptyMessage: { code: 50006, message: 'Cannot send an empty message' },
  invalidWebhookToken: { code: 50027, message: 'Invalid Webhook Token' },
  invalidFormBody: { code: 50035, message: 'Invalid Form Body' },
  alreadyAcknowledged: { code: 40060, message: 'Interaction has already been acknowledged.' },
  methodNotAllowed: { code: 0, message: '405: Method Not Allowed' },
  missingAccess: { code: 50001, message: 'Missing Access' },
  missingPermissions: { code: 50013, message: 'Missing Permissions' },
  editOthersMessage: { code: 50005, message: 'Cannot edit a message authored by another user' },
  invalidJson: { code: 50109, message: 'The request body contains invalid JSON.' },
  entityTooLarge: { code: 40005, message: 'Request entity too large' },
  unknownUser: { code: 10013, message: 'Unknown User' },
  unknownGuild: { code: 10004, message: 'Unknown Guild' },
  unknownMember: { code: 10007, message: 'Unknown Member' },
  cannotMessageUser: { code: 50007, message: 'Cannot send messages to this user' },
} as const;
