/**
 * Message components (classic action rows of buttons) and message attachments checked the way
 * Discord checks a message body. Limits are Discord's documented ones (≤ 5 action rows, ≤ 5
 * buttons a row, custom_id ≤ 100 and unique in the message, label ≤ 80, link buttons need a url
 * and no custom_id). The error *codes* for component problems are guesses in Discord's style:
 * Discord documents the limits, not the codes.
 */
import type { BodyProblem } from './validateMessageBody';

export const COMPONENT_LIMITS = { actionRows: 5, buttonsPerRow: 5, customId: 100, label: 80, url: 512 } as const;
/** Components V2 (layout components at top level) are outside what the fake checks. */
export const IS_COMPONENTS_V2 = 1 << 15;
const SELECT_TYPES = new Set([3, 5, 6, 7, 8]);

type Add = (path: BodyProblem['path'], code: string, text: string) => void;

const length = (text: string): number => [...text].length;

/** Problems of `components` (top-level action rows); `customIds` collects ids across the message for the uniqueness check. */
export function checkComponents(components: unknown, add: Add): void {
  if (components === undefined || components === null) return;
  if (!Array.isArray(components)) return add(['components'], 'BASE_TYPE_LIST', 'Must be an array.');
  if (components.length > COMPONENT_LIMITS.actionRows) add(['components'], 'BASE_TYPE_MAX_LENGTH', `Must be ${COMPONENT_LIMITS.actionRows} or fewer in length.`);
  const seen = new Set<string>();
  components.forEach((row: unknown, i) => {
    const at = ['components', i];
    const r = (row ?? {}) as Record<string, unknown>;
    if (r.type !== 1) return add([...at, 'type'], 'COMPONENT_LAYOUT_INVALID', 'Top-level components must be action rows (type 1).');
    const children = r.components;
    if (!Array.isArray(children) || children.length < 1 || children.length > COMPONENT_LIMITS.buttonsPerRow) {
      return add([...at, 'components'], 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${COMPONENT_LIMITS.buttonsPerRow} in length.`);
    }
    const hasSelect = children.some((c) => SELECT_TYPES.has(((c ?? {}) as Record<string, unknown>).type as number));
    if (hasSelect && children.length > 1) add([...at, 'components'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
    children.forEach((child: unknown, j) => {
      const c = (child ?? {}) as Record<string, unknown>;
      const cat = [...at, 'components', j];
      if (c.type === 2) checkButton(c, cat, add, seen);
      else if (SELECT_TYPES.has(c.type as number)) checkCustomId(c.custom_id, cat, add, seen, true);
      else add([...cat, 'type'], 'COMPONENT_TYPE_INVALID', 'Component type is not valid in an action row of a message.');
    });
  });
}

function checkButton(b: Record<string, unknown>, at: BodyProblem['path'], add: Add, seen: Set<string>): void {
  const style = b.style;
  if (typeof style !== 'number' || !Number.isInteger(style) || style < 1 || style > 6) {
    add([...at, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of (1, 2, 3, 4, 5, 6).');
    return;
  }
  if (b.label !== undefined && b.label !== null) {
    if (typeof b.label !== 'string') add([...at, 'label'], 'BASE_TYPE_STRING', 'Must be a string.');
    else if (length(b.label) > COMPONENT_LIMITS.label) add([...at, 'label'], 'BASE_TYPE_MAX_LENGTH', `Must be ${COMPONENT_LIMITS.label} or fewer in length.`);
  }
  if (style === 5) {
    if (b.custom_id !== undefined && b.custom_id !== null) add([...at, 'custom_id'], 'BUTTON_COMPONENT_CUSTOM_ID_LINK', 'A link button cannot have a custom_id.');
    if (typeof b.url !== 'string' || b.url === '') add([...at, 'url'], 'BUTTON_COMPONENT_URL_REQUIRED', 'A link button requires a url.');
    else if (length(b.url) > COMPONENT_LIMITS.url || !/^(https?|discord):\/\//.test(b.url)) add([...at, 'url'], 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
  } else if (style === 6) {
    if (typeof b.sku_id !== 'string') add([...at, 'sku_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
  } else {
    if (b.url !== undefined && b.url !== null) add([...at, 'url'], 'BUTTON_COMPONENT_URL_NOT_ALLOWED', 'Only link buttons can have a url.');
    checkCustomId(b.custom_id, at, add, seen, true);
  }
  const hasLabel = typeof b.label === 'string' && b.label !== '';
  if (style !== 6 && !hasLabel && (b.emoji === undefined || b.emoji === null)) add([...at, 'label'], 'BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED', 'A button needs a label or an emoji.');
  if (b.disabled !== undefined && typeof b.disabled !== 'boolean') add([...at, 'disabled'], 'BASE_TYPE_BOOLEAN', 'Must be either true or false.');
}

function checkCustomId(id: unknown, at: BodyProblem['path'], add: Add, seen: Set<string>, required: boolean): void {
  if (id === undefined || id === null) {
    if (required) add([...at, 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return;
  }
  if (typeof id !== 'string') return add([...at, 'custom_id'], 'BASE_TYPE_STRING', 'Must be a string.');
  if (length(id) < 1 || length(id) > COMPONENT_LIMITS.customId) return add([...at, 'custom_id'], 'BASE_TYPE_BAD_LENGTH', `Must be between 1 and ${COMPONENT_LIMITS.customId} in length.`);
  if (seen.has(id)) add([...at, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
  seen.add(id);
}

/** Buttons of a message's action rows, flat. */
export function messageButtons(components: unknown[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const row of components) {
    const children = ((row ?? {}) as Record<string, unknown>).components;
    if (Array.isArray(children)) for (const c of children) if (((c ?? {}) as Record<string, unknown>).type === 2) out.push(c as Record<string, unknown>);
  }
  return out;
}

/** Does a message (its components) hold an interactive component (not only link buttons)? */
export function hasInteractiveComponents(components: unknown): boolean {
  if (!Array.isArray(components)) return false;
  return components.some((row) => {
    const children = ((row ?? {}) as Record<string, unknown>).components;
    return Array.isArray(children) && children.some((c) => {
      const child = (c ?? {}) as Record<string, unknown>;
      return !(child.type === 2 && child.style === 5);
    });
  });
}

/**
 * `attachments` of a body against the files uploaded with it (`files[n]` ↔ attachment id `n`)
 * and, for edits, the attachments the message already has (kept by their snowflake id).
 */
export function checkAttachmentRefs(attachments: unknown, fileCount: number, existingIds: ReadonlySet<string>, add: Add): void {
  if (attachments === undefined || attachments === null) return;
  if (!Array.isArray(attachments)) return add(['attachments'], 'BASE_TYPE_LIST', 'Must be an array.');
  attachments.forEach((a: unknown, i) => {
    const id = String(((a ?? {}) as Record<string, unknown>).id ?? '');
    const isIndex = /^\d{1,2}$/.test(id);
    if (isIndex ? Number(id) >= fileCount : !existingIds.has(id)) {
      // Discord answers an attachment that names no upload with a form error on its id (code guessed).
      add(['attachments', i, 'id'], 'ATTACHMENT_NOT_FOUND', `Attachment ${id} was not uploaded with this request.`);
    }
  });
}
