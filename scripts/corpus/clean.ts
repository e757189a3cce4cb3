import type { Language } from './languages.js';
import { passesLangid } from './langid.js';
import { stripEnumerator } from './normalize.js';
import { normalizeFor } from './orthography.js';
import { passesScript } from './script.js';

/**
 * Why a line left the corpus, in the order the rules run. `duplicate` and `cap` are applied later,
 * when documents are split into train and held-out text.
 */
export const DROP_RULES = ['noText', 'code', 'english', 'script', 'langid', 'udhr', 'duplicate', 'cap'] as const;
export type DropRule = (typeof DROP_RULES)[number];

/** What the line rules need to know besides the line. */
export interface CleanContext {
  lang: Language;
  /** Normalized lines of the source's English original; a translation equal to one is untranslated. */
  english: ReadonlySet<string>;
  /** Normalized lines of the language's evaluation text (UDHR), which must not leak into training. */
  evalLines: ReadonlySet<string>;
}

const LETTER_OR_MARK = /[\p{L}\p{M}]/gu;
const URL = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)\S+|\S+@\S+\.\w+/giu;
/** Shell commands that open command lines in the sources (lower case: a sentence starts upper case). */
const COMMANDS = [
  ...['sudo', 'apt', 'apt-get', 'apt-cache', 'aptitude', 'dpkg', 'systemctl', 'service', 'gsettings', 'dconf'],
  ...['cd', 'ls', 'cat', 'echo', 'mkdir', 'rm', 'cp', 'mv', 'ln', 'chmod', 'chown', 'mount', 'find', 'grep', 'sed'],
  ...['tar', 'make', 'git', 'ssh', 'scp', 'wget', 'curl', 'export', 'man'],
];
const COMMAND = new RegExp(`^(?:[$#%>]\\s|(?:${COMMANDS.join('|')})\\s)`, 'u');
const SYMBOL = /[{}[\]<>=;|\\$_/#*~^`@]/gu;

/** Letters and combining marks (Indic vowel signs are marks) in `text`. */
function letterCount(text: string): number {
  return text.match(LETTER_OR_MARK)?.length ?? 0;
}

/**
 * True for a line that is code, a command, a path or a bare URL rather than prose: it starts like a
 * shell command, or is mostly symbols, or has fewer than two thirds letters among its visible characters.
 */
export function looksLikeCode(line: string): boolean {
  if (COMMAND.test(line)) return true;
  const visible = line.replace(/\s/g, '');
  const prose = line.replace(URL, ' ');
  if (letterCount(prose) < 3) return true;
  if ((visible.match(SYMBOL)?.length ?? 0) > 0.1 * visible.length) return true;
  return letterCount(visible) < (2 / 3) * [...visible].length;
}

/**
 * Normalizes one raw line and applies the line rules in order. Returns the clean line, or the rule
 * that dropped it together with the normalized text (for the byte counts in stats.json); `undefined`
 * for a line that is empty after normalization.
 */
export function cleanLine(
  raw: string,
  ctx: CleanContext,
): { line: string; rule?: Exclude<DropRule, 'duplicate' | 'cap'> } | undefined {
  const line = stripEnumerator(normalizeFor(raw, ctx.lang));
  if (line === '') return undefined;
  if (letterCount(line) < 2) return { line, rule: 'noText' };
  if (looksLikeCode(line)) return { line, rule: 'code' };
  if (ctx.lang.code !== 'en' && ctx.english.has(line)) return { line, rule: 'english' };
  if (!passesScript(line, ctx.lang.script)) return { line, rule: 'script' };
  if (!passesLangid(line, ctx.lang)) return { line, rule: 'langid' };
  if (ctx.evalLines.has(line)) return { line, rule: 'udhr' };
  return { line };
}
