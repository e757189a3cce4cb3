/** One message of a gettext catalog. */
export interface MoMessage {
  /** `msgctxt`, when the message has one. */
  context?: string;
  /** The English original (`msgid`). */
  id: string;
  /** `msgid_plural`, for plural messages. */
  idPlural?: string;
  /** The translations (`msgstr`), one per plural form; a single entry for ordinary messages. */
  translations: string[];
}

const MAGIC_LE = 0x950412de;
const MAGIC_BE = 0xde120495;

/**
 * Parses a compiled gettext catalog (`.mo`). The layout (GNU gettext manual, "The Format of GNU MO
 * Files"): a magic number that also gives the byte order, a revision, the message count N, and the
 * offsets of two tables of N (length, offset) pairs, for the original and the translated strings.
 * An original is `msgctxt \x04 msgid [\0 msgid_plural]`; a translation is its plural forms joined by
 * `\0`. The header entry (empty msgid) is left out.
 */
export function parseMo(bytes: Uint8Array, file = '<mo>'): MoMessage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 20) throw new Error(`${file}: too short for a .mo file (${bytes.byteLength} bytes)`);
  const magic = view.getUint32(0, true);
  if (magic !== MAGIC_LE && magic !== MAGIC_BE) {
    throw new Error(`${file}: magic number 0x${magic.toString(16)} is not 0x950412de`);
  }
  const le = magic === MAGIC_LE;
  const u32 = (at: number): number => view.getUint32(at, le);
  const count = u32(8);
  const originals = u32(12);
  const translated = u32(16);
  const decoder = new TextDecoder('utf-8');
  const string = (table: number, index: number): string => {
    const length = u32(table + 8 * index);
    const offset = u32(table + 8 * index + 4);
    if (offset + length > bytes.byteLength) throw new Error(`${file}: string ${index} runs past the end of the file`);
    return decoder.decode(bytes.subarray(offset, offset + length));
  };
  const messages: MoMessage[] = [];
  for (let i = 0; i < count; i++) {
    const original = string(originals, i);
    if (original === '') continue;
    const contextEnd = original.indexOf('\u0004');
    const context = contextEnd >= 0 ? original.slice(0, contextEnd) : undefined;
    const [id = '', idPlural] = original.slice(contextEnd + 1).split('\0');
    const message: MoMessage = { id, translations: string(translated, i).split('\0') };
    if (context !== undefined) message.context = context;
    if (idPlural !== undefined) message.idPlural = idPlural;
    messages.push(message);
  }
  return messages;
}
