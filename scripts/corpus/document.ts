/**
 * One document of a source in one language: a handbook chapter, a help page, a man page, a string
 * catalog. Documents are the unit of the held-out split and of the order of the training file.
 */
export interface Doc {
  /** Source id, e.g. `debian-handbook`. */
  source: string;
  /**
   * Name of the document inside the source, the same in every language (`sect.apt-get.html`,
   * `gnome-help/a11y-mag.page`), so the held-out choice picks parallel documents across languages.
   */
  key: string;
  /** Raw text, one paragraph/heading/list item per entry, not yet normalized. */
  lines: string[];
}
