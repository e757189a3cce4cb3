/**
 * Text tables line up by what a terminal shows, not by UTF-16 length: CJK and Hangul take two columns, Thai and
 * Arabic combining marks none, so a table of per-language results stays aligned in every script.
 */
import { describe, expect, it } from 'vitest';
import { displayWidth, formatTable } from '../../src/util/table.js';

describe('displayWidth', () => {
  it('counts wide, combining and plain characters as a terminal draws them', () => {
    expect(displayWidth('ppl')).toBe(3);
    expect(displayWidth('中文')).toBe(4);
    expect(displayWidth('한국어')).toBe(6);
    expect(displayWidth('ไทย')).toBe(3);
    expect(displayWidth('ภาษาไทย')).toBe(7); // seven spacing letters and vowels, one column each
    expect(displayWidth('ที่')).toBe(1); // ท + ี (above vowel) + ่ (tone mark)
    expect(displayWidth('عَرَبِيّ')).toBe(4); // four letters, four harakat
    expect(displayWidth('a\u200db')).toBe(2); // a zero-width joiner
    expect(displayWidth('ｆｕｌｌ')).toBe(8);
  });
});

describe('formatTable', () => {
  const rows = [
    ['en', 'The cat sat', '1.02'],
    ['zh', '猫坐在垫子上', '12.5'],
    ['th', 'ที่นี่ภาษาไทย', '3.1'],
    ['ko', '한국어 문장', '100.0'],
  ];
  const columns = [
    { header: 'language', align: 'left' },
    { header: 'text', align: 'left' },
    { header: 'ratio', align: 'right' },
  ] as const;

  it('every line of the plain look is as wide as the rule, in display columns, and the right-aligned column ends where the rule does', () => {
    const lines = formatTable(columns, rows).trimEnd().split('\n');
    const rule = displayWidth(lines[1]!);
    for (const line of lines.filter((_, i) => i !== 1)) expect(displayWidth(line), line).toBe(rule);
  });

  it('the pipes look puts every separator at the same display column', () => {
    const lines = formatTable(columns, rows, { look: 'pipes' }).split('\n');
    const separators = (line: string) => {
      const at: number[] = [];
      let col = 0;
      for (const ch of line) {
        if (ch === '|') at.push(col);
        col += displayWidth(ch);
      }
      return at;
    };
    const first = separators(lines[0]!);
    expect(first.length).toBe(2);
    for (const line of lines) expect(separators(line), line).toEqual(first);
  });
});
