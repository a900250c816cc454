/**
 * What barista sends to Discord: the JSON body of "execute webhook" / "create message",
 * as Discord defines it (snake_case). Renderers produce it, the outbox stores it, sinks send it.
 */
export interface DiscordEmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface DiscordEmbed {
  title?: string;
  description?: string;
  url?: string;
  /** 0xRRGGBB */
  color?: number;
  /** ISO 8601 */
  timestamp?: string;
  fields?: DiscordEmbedField[];
  footer?: { text: string };
  author?: { name: string };
  /** A picture under the embed: `attachment://<file name>` of a file sent with the message, or https. */
  image?: { url: string };
}

/** Discord's "suppress notifications" message flag (silent routes). */
export const SUPPRESS_NOTIFICATIONS = 1 << 12;

/** Button styles barista uses: primary (blurple), secondary (grey), success (green), danger (red). */
export type ButtonStyle = 1 | 2 | 3 | 4;

/** An interactive button (type 2). Its custom_id names a pending action barista keeps in state. */
export interface DiscordButton {
  type: 2;
  style: ButtonStyle;
  label: string;
  custom_id: string;
  disabled?: boolean;
}

/** A row of up to five buttons (type 1). */
export interface DiscordActionRow {
  type: 1;
  components: DiscordButton[];
}

export interface DiscordMessage {
  content?: string;
  embeds: DiscordEmbed[];
  /** Buttons under the message (bot messages and interaction replies only; webhooks drop them). */
  components?: DiscordActionRow[];
  /** SUPPRESS_NOTIFICATIONS for silent routes. */
  flags?: number;
  /** Always `{ parse: [] }`: barista never pings anyone. */
  allowed_mentions: { parse: [] };
}
