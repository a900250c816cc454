/**
 * Reads trades back out of the messages Discord received, the way a person would: a single trade
 * embed ("📈 BUY ETH/USD") is one trade, a grouped one ("🔁 12 trades in 3 h on trial250") is as
 * many as its title says and lists them in a table, and a backlog digest ("9 notifications held
 * back…") has one line per held-back message, carrying that message's title. Titles of
 * continuation embeds ("… (continued)") repeat their first part's and count nothing.
 */

interface Embed {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
}

export interface MessageBody {
  embeds?: Embed[];
}

export interface TradeRow {
  side: string;
  symbol: string;
  qty: number;
}

const SINGLE = /^(?:📈 BUY|📉 SELL|🔁 TRADE) \S/u;
const GROUPED = /^(?:📈|📉|🔁) ([\d,]+) trades?\b/u;
const DIGEST = /^[\d,]+ notifications? held back\b/;
const DIGEST_LINE = /^• <t:-?\d+:f> (.*)$/u;

function isContinuation(title: string): boolean {
  return title.endsWith('(continued)');
}

/** Trades one embed title stands for: 1, N, or 0 when it is not about trades. */
export function tradesInTitle(title: string): number {
  if (isContinuation(title)) return 0;
  const grouped = GROUPED.exec(title);
  if (grouped) return Number(grouped[1]!.replace(/,/g, ''));
  return SINGLE.test(title) ? 1 : 0;
}

export function isBacklogDigest(body: MessageBody): boolean {
  return DIGEST.test(body.embeds?.[0]?.title ?? '');
}

/** The titles a backlog digest lists, one per held-back message. */
export function digestTitles(body: MessageBody): string[] {
  return (body.embeds ?? []).flatMap((embed) =>
    (embed.description ?? '').split('\n').flatMap((line) => {
      const match = DIGEST_LINE.exec(line);
      return match ? [match[1]!] : [];
    }),
  );
}

/** How many trades a delivered message accounts for. */
export function tradesIn(body: MessageBody): number {
  const titles = isBacklogDigest(body) ? digestTitles(body) : (body.embeds ?? []).map((embed) => embed.title ?? '');
  return titles.reduce((sum, title) => sum + tradesInTitle(title), 0);
}

/** A quantity as the renderers print it ("1,234.5", "0.000123", "1.2e-7") back as a number. */
function quantityOf(text: string): number {
  return Number(text.replace(/[,*_\\]/g, ''));
}

/**
 * The trades a message shows in full: single trade embeds (side and symbol from the title, qty
 * from the Quantity field) and the rows of grouped tables (which end with "… and N more" when
 * a group is too long to list).
 */
export function tradeRows(body: MessageBody): TradeRow[] {
  const rows: TradeRow[] = [];
  for (const embed of body.embeds ?? []) {
    const title = embed.title ?? '';
    if (isContinuation(title)) continue;
    const single = /^(?:📈|📉|🔁) (BUY|SELL|TRADE) (\S+)/u.exec(title);
    if (single) {
      const qty = embed.fields?.find((field) => field.name === 'Quantity')?.value;
      rows.push({ side: single[1]!, symbol: single[2]!.replace(/\\/g, ''), qty: qty === undefined ? NaN : quantityOf(qty) });
      continue;
    }
    if (!GROUPED.test(title)) continue;
    const table = /```\n([\s\S]*?)\n```/.exec(embed.description ?? '')?.[1];
    if (!table) continue;
    const [header, ...lines] = table.split('\n');
    const columns = header!.trim().split(/\s{2,}/);
    const side = columns.indexOf('Side');
    const symbol = columns.indexOf('Symbol');
    const qty = columns.indexOf('Qty');
    for (const line of lines) {
      if (line.startsWith('… and ')) continue;
      const cells = line.trim().split(/\s{2,}/);
      rows.push({ side: cells[side]!, symbol: cells[symbol]!, qty: quantityOf(cells[qty]!) });
    }
  }
  return rows;
}
