/** Settings of the corpus build; {@link CORPUS_SETTINGS} holds the values the committed corpus was built with. */
export interface CorpusSettings {
  /** Most bytes of training text for a region language (ar es ru zh ko vi en). */
  regionTrainCap: number;
  /** Most bytes of training text for every other language (keeps the committed corpus ≲ 20 MB). */
  otherTrainCap: number;
  /** A language that is not a region language gets held-out text only if this much training text remains. */
  minTrainForHeldout: number;
  /** Held-out size as a share of the language's usable text, clamped to [heldoutMin, heldoutMax] bytes. */
  heldoutShare: number;
  heldoutMin: number;
  heldoutMax: number;
  /** Most bytes of general English prose (general/train/en.txt, the fixture model's second phase). */
  generalTrainCap: number;
}

/** The settings of the committed corpus (recorded in stats.json). */
export const CORPUS_SETTINGS: CorpusSettings = {
  regionTrainCap: 1_000_000,
  otherTrainCap: 600_000,
  minTrainForHeldout: 200_000,
  heldoutShare: 0.05,
  heldoutMin: 20_000,
  heldoutMax: 50_000,
  generalTrainCap: 1_000_000,
};
