// Builds the JSON a push notification carries, trimming title and body so the whole stays within a byte budget.
//
// Push services must accept 4096 bytes of encrypted body (RFC 8030 §7.2); aes128gcm adds
// 103 bytes (86 header, 16 tag, 1 delimiter), so 3 KB of JSON leaves a safe margin. Only the
// title and body are trimmed: a cut url, ping, icon or tag would be broken, not shorter. Trimming
// is water-filling: the longest field is shortened first, down to the length of the next,
// and so on, so a huge body never costs a short title anything. Cuts fall on grapheme
// boundaries (no half emoji or dangling combining mark) and end with an ellipsis.

export type PushNotification = {
  title: string;
  body: string;
  /** Where a click leads. */
  url: string;
  /** A signed URL the service worker fetches on a click, so the click is recorded. */
  ping?: string;
  icon?: string;
  /** Notifications with the same tag replace each other on the device. */
  tag?: string;
};

export const MAX_PAYLOAD_BYTES = 3072;
const ELLIPSIS = '…';
const TRIMMABLE = ['title', 'body'] as const;

/**
 * Returns the payload as a JSON string of at most `maxBytes` UTF-8 bytes;
 * throws when url, ping, icon and tag alone are too large.
 */
export function buildPushPayload(notification: PushNotification, maxBytes = MAX_PAYLOAD_BYTES): string {
  const full = serialize(notification);
  if (utf8Bytes(full) <= maxBytes) return full;

  const fixedBytes = utf8Bytes(serialize({ ...notification, title: '', body: '' }));
  const budget = maxBytes - fixedBytes;
  if (budget < 0) {
    throw new RangeError(
      `push payload: url, ping, icon and tag take ${fixedBytes} bytes, more than the ${maxBytes}-byte limit`,
    );
  }
  const caps = waterFill(
    TRIMMABLE.map((field) => encodedBytes(notification[field])),
    budget,
  );
  const trimmed = { ...notification };
  TRIMMABLE.forEach((field, i) => {
    trimmed[field] = truncate(notification[field], caps[i]);
  });
  return serialize(trimmed);
}

/** Fixed key order, optional fields left out when absent. */
function serialize(n: PushNotification): string {
  const payload: Record<string, string> = { title: n.title, body: n.body, url: n.url };
  if (n.ping !== undefined) payload.ping = n.ping;
  if (n.icon !== undefined) payload.icon = n.icon;
  if (n.tag !== undefined) payload.tag = n.tag;
  return JSON.stringify(payload);
}

/**
 * Per-field byte caps summing to at most `budget`: small fields keep their size, the rest share what is left equally.
 */
function waterFill(sizes: number[], budget: number): number[] {
  const caps = sizes.slice();
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[a] - sizes[b]);
  let left = budget;
  order.forEach((index, position) => {
    const sharing = order.length - position;
    const share = Math.floor(left / sharing);
    caps[index] = Math.min(sizes[index], share);
    left -= caps[index];
  });
  return caps;
}

/** The longest grapheme prefix whose JSON-encoded size, ellipsis included, fits `maxBytes`. */
function truncate(text: string, maxBytes: number): string {
  if (encodedBytes(text) <= maxBytes) return text;
  const room = maxBytes - encodedBytes(ELLIPSIS);
  if (room < 0) return '';
  let used = 0;
  let kept = '';
  for (const { segment } of graphemes.segment(text)) {
    const size = encodedBytes(segment);
    if (used + size > room) break;
    used += size;
    kept += segment;
  }
  return kept.trimEnd() + ELLIPSIS;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Bytes a string takes inside a JSON document, quotes excluded (escapes such as \n count double). */
function encodedBytes(text: string): number {
  return utf8Bytes(JSON.stringify(text)) - 2;
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
