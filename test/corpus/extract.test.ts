import { describe, expect, it } from 'vitest';
import { cleanLine, looksLikeCode } from '../../scripts/corpus/clean.js';
import { paragraphs } from '../../scripts/corpus/general.js';
import { LANGUAGES, type Language } from '../../scripts/corpus/languages.js';
import { vietnameseToneMarksDecomposed } from '../../scripts/corpus/langid.js';
import { extractBlocks } from '../../scripts/corpus/markup.js';
import { parseMo } from '../../scripts/corpus/mo.js';
import { normalizeFor } from '../../scripts/corpus/orthography.js';
import { roffToParagraphs } from '../../scripts/corpus/roff.js';
import { passesScript } from '../../scripts/corpus/script.js';
import { splitDocuments } from '../../scripts/corpus/split.js';

function lang(code: string): Language {
  const found = LANGUAGES.find((l) => l.code === code);
  if (found === undefined) throw new Error(`no language ${code}`);
  return found;
}

/** A little-endian .mo file holding `entries` (original → translation), as msgfmt writes it. */
function buildMo(entries: [string, string][]): Uint8Array {
  const enc = new TextEncoder();
  const n = entries.length;
  const headerSize = 28;
  const tables = headerSize + 16 * n;
  const strings: Uint8Array[] = [];
  const table: number[] = [];
  let offset = tables;
  for (const column of [0, 1] as const) {
    for (const entry of entries) {
      const bytes = enc.encode(entry[column]);
      table.push(bytes.length, offset);
      strings.push(bytes, new Uint8Array(1));
      offset += bytes.length + 1;
    }
  }
  const out = new Uint8Array(offset);
  const view = new DataView(out.buffer);
  [0x950412de, 0, n, headerSize, headerSize + 8 * n, 0, 0].forEach((v, i) => view.setUint32(4 * i, v, true));
  table.forEach((v, i) => view.setUint32(headerSize + 4 * i, v, true));
  let at = tables;
  for (const s of strings) {
    out.set(s, at);
    at += s.length;
  }
  return out;
}

describe('parseMo', () => {
  it('reads originals, contexts, plurals and translations, and skips the header entry', () => {
    const mo = buildMo([
      ['', 'Content-Type: text/plain; charset=UTF-8\n'],
      ['Hello world', 'Salamu dunia'],
      ['menu\u0004Open', 'Fungua'],
      ['%d file\0%d files', 'faili %d\0faili %d'],
    ]);
    expect(parseMo(mo)).toEqual([
      { id: 'Hello world', translations: ['Salamu dunia'] },
      { context: 'menu', id: 'Open', translations: ['Fungua'] },
      { id: '%d file', idPlural: '%d files', translations: ['faili %d', 'faili %d'] },
    ]);
  });

  it('names the file when the magic number is wrong', () => {
    expect(() => parseMo(new Uint8Array(32), 'x.mo')).toThrow(/x\.mo: magic number/);
  });
});

describe('extractBlocks', () => {
  it('keeps block text with its inline markup flattened, skips code and metadata', () => {
    const html =
      '<html><head><title>T</title></head><body><div class="para">Run <code>apt</code> &amp; wait.' +
      '<pre class="screen">$ apt update</pre></div><h2>Title</h2><p>A<br/>B</p></body></html>';
    const rules = {
      isBlock: (name: string, attrs: Record<string, string>) =>
        name === 'p' || name === 'h2' || (name === 'div' && attrs['class'] === 'para'),
      isSkipped: (name: string) => name === 'head' || name === 'pre',
    };
    expect(extractBlocks(html, rules)).toEqual(['Run apt & wait.', 'Title', 'A', 'B']);
  });
});

describe('roffToParagraphs', () => {
  it('joins filled lines, keeps headings, drops comments, no-fill blocks and .TP tags', () => {
    const roff = [
      '.\\" comment',
      '.TH MKDIR 1',
      '.SH NAME',
      'mkdir \\- make directories',
      '.SH DESCRIPTION',
      'Create the \\fIDIRECTORY\\fP(ies),',
      'if they do not already exist.',
      '.TP',
      '\\fB\\-m\\fP, \\fB\\-\\-mode\\fP=\\fIMODE\\fP',
      'set file mode, as in \\(lqchmod\\(rq',
      '.nf',
      'mkdir -p a/b',
      '.fi',
      '.PP',
      '这是一个',
      '中文段落。',
    ].join('\n');
    expect(roffToParagraphs(roff)).toEqual([
      'NAME',
      'mkdir - make directories',
      'DESCRIPTION',
      'Create the DIRECTORY(ies), if they do not already exist.',
      'set file mode, as in “chmod”',
      '这是一个中文段落。',
    ]);
  });

  it('gives nothing for a .so redirect', () => {
    expect(roffToParagraphs('.so man1/other.1\n')).toEqual([]);
  });
});

describe('normalizeFor', () => {
  it('is NFC and collapses whitespace', () => {
    const nfd = 'Vie\u0302\u0323t  Nam\u00a0\t!';
    expect(normalizeFor(nfd, lang('vi'))).toBe('Việt Nam !');
  });

  it('unifies spelling variants per language', () => {
    expect(normalizeFor('aşa ţară', lang('ro'))).toBe('așa țară');
    expect(normalizeFor('كتاب علي', lang('fa'))).toBe('کتاب علی');
    expect(normalizeFor('അവന\u0d4d\u200d', lang('ml'))).toBe('അവൻ');
    expect(normalizeFor('人人生而自由,在尊严', lang('zh'))).toBe('人人生而自由，在尊严');
    expect(normalizeFor('a, b', lang('zh'))).toBe('a, b');
  });
});

describe('line rules', () => {
  const ctx = (code: string, english: string[] = []) => ({
    lang: lang(code),
    english: new Set(english),
    evalLines: new Set(['Kila mtu anazaliwa huru.']),
  });

  it('drops code, untranslated lines, foreign script, wrong language and eval text', () => {
    expect(cleanLine('$ sudo apt install foo', ctx('sw'))?.rule).toBe('code');
    expect(cleanLine('https://example.org/x', ctx('sw'))?.rule).toBe('code');
    expect(cleanLine('Save changes', ctx('sw', ['Save changes']))?.rule).toBe('english');
    expect(cleanLine('Это строка на русском языке', ctx('de'))?.rule).toBe('script');
    expect(cleanLine('This sentence is plainly written in the English language.', ctx('de'))?.rule).toBe('langid');
    expect(cleanLine('Kila mtu anazaliwa huru.', ctx('sw'))?.rule).toBe('udhr');
    expect(cleanLine('  Dieser Satz ist auf Deutsch geschrieben worden.  ', ctx('de'))).toEqual({
      line: 'Dieser Satz ist auf Deutsch geschrieben worden.',
    });
  });

  it('keeps prose that mentions commands', () => {
    expect(looksLikeCode('Run apt update to refresh the package lists.')).toBe(false);
    expect(looksLikeCode('/etc/apt/sources.list')).toBe(true);
  });

  it('tells Japanese from Chinese by kana', () => {
    expect(passesScript('これは日本語の文です。', 'Japanese')).toBe(true);
    expect(passesScript('这是中文句子。', 'Japanese')).toBe(false);
    expect(passesScript('これは日本語の文です。', 'Han')).toBe(false);
  });

  it('gives franc Vietnamese with decomposed tone marks only', () => {
    expect(vietnameseToneMarksDecomposed('Việt')).toBe('Viê\u0323t');
  });
});

describe('splitDocuments', () => {
  const doc = (key: string, lines: string[]) => ({ source: 's', key, tier: 1, lines });
  const settings = {
    trainCap: 60,
    alwaysHoldOut: true,
    minTrainForHeldout: 0,
    heldoutShare: 0.05,
    heldoutMin: 10,
    heldoutMax: 20,
  };

  it('holds out whole documents, removes repeats and eval lines, and stops at the cap', () => {
    const docs = [
      doc('a', ['alpha one', 'shared line']),
      doc('b', ['beta one', 'shared line']),
      doc('c', ['gamma one', 'eval line']),
      doc('d', ['delta one', 'delta two', 'delta three', 'delta four', 'delta five']),
    ];
    const split = splitDocuments(docs, new Set(['eval line']), settings);
    const train = split.train.map((l) => l.text);
    const heldout = split.heldout.map((l) => l.text);
    expect(heldout.length).toBeGreaterThan(0);
    expect(train.filter((l) => heldout.includes(l))).toEqual([]);
    expect(train).not.toContain('eval line');
    expect(new Set(train).size).toBe(train.length);
    expect(train.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0)).toBeLessThanOrEqual(60);
    expect(splitDocuments(docs, new Set(['eval line']), settings)).toEqual(split);
  });
});

describe('paragraphs (State of the Union addresses are one line each)', () => {
  it('cuts at sentence ends into paragraphs of whole sentences of about the given size', () => {
    const text = 'The first sentence is here. "Quoted," he said. Second one! Is this a third? Yes. U.S. troops stay.';
    expect(paragraphs(text, 30)).toEqual(['The first sentence is here. "Quoted," he said.', 'Second one! Is this a third? Yes.', 'U.S. troops stay.']);
    expect(paragraphs(text, 10_000)).toEqual([text]);
    expect(paragraphs('  ')).toEqual([]);
  });
});
