/**
 * Puts one extracted line of text into the corpus's canonical form: Unicode NFC (sources mix NFC and
 * NFD, and Vietnamese in particular scores badly when training and evaluation text disagree), no
 * control, soft-hyphen or zero-width-space characters (ZWNJ/ZWJ stay: Persian and Malayalam spell
 * with them), all whitespace runs collapsed to one space, trimmed.
 */
export function normalizeLine(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/[\u00ad\u200b\u2060\ufeff]/g, '')
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim();
}

/**
 * Removes a leading section number or list bullet (`6.2.1. `, `B.4.1. `, `3. `, `• `), which the
 * sources add to headings and list items and which carries no language.
 */
export function stripEnumerator(line: string): string {
  return line.replace(/^(?:(?:[A-Z]\.)?\d+(?:\.\d+)*\.\s+|[•·▪◦‣–—-]\s+)/u, '');
}
