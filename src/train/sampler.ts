import { mulberry32 } from '../util/random.js';

/** Token streams of the training text, one per language, with their sampling weights. */
export interface TrainingStream {
  language: string;
  ids: Int32Array;
  weight: number;
}

/** Where a {@link WindowSampler} is, so that resumed training draws the same windows. */
export interface SamplerState {
  seed: number;
  draws: number;
}

/**
 * Draws training windows: a language with probability ∝ its weight, then a uniformly random start in its
 * stream; the window is BOS + the next seqLen − 1 tokens. Seeded; its state is the number of draws, so a
 * resumed run continues the exact sequence.
 */
export class WindowSampler {
  readonly #streams: TrainingStream[];
  readonly #cumulative: number[];
  readonly #seqLen: number;
  readonly #bos: number;
  readonly #seed: number;
  #rng: () => number;
  #draws = 0;

  constructor(streams: TrainingStream[], seqLen: number, bos: number, state: SamplerState) {
    const usable = streams.filter((s) => s.weight > 0);
    for (const s of usable) {
      if (s.ids.length < seqLen) throw new Error(`training text for "${s.language}" has ${s.ids.length} tokens, fewer than one window (${seqLen})`);
    }
    if (usable.length === 0) throw new Error('no training text with a positive weight');
    this.#streams = usable;
    const total = usable.reduce((a, s) => a + s.weight, 0);
    let acc = 0;
    this.#cumulative = usable.map((s) => (acc += s.weight / total));
    this.#seqLen = seqLen;
    this.#bos = bos;
    this.#seed = state.seed;
    this.#rng = mulberry32(state.seed);
    for (let i = 0; i < state.draws; i++) this.#draw();
  }

  get state(): SamplerState {
    return { seed: this.#seed, draws: this.#draws };
  }

  /** Share of windows each language gets. */
  shares(): Map<string, number> {
    return new Map(this.#streams.map((s, k) => [s.language, this.#cumulative[k]! - (this.#cumulative[k - 1] ?? 0)]));
  }

  #draw(): [TrainingStream, number] {
    this.#draws++;
    const u = this.#rng();
    const k = this.#cumulative.findIndex((c) => u < c);
    const stream = this.#streams[k === -1 ? this.#streams.length - 1 : k]!;
    const start = Math.floor(this.#rng() * (stream.ids.length - (this.#seqLen - 1) + 1));
    return [stream, start];
  }

  /** The next `count` windows. */
  sample(count: number): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < count; i++) {
      const [stream, start] = this.#draw();
      const w = [this.#bos];
      for (let t = 0; t < this.#seqLen - 1; t++) w.push(stream.ids[start + t]!);
      out.push(w);
    }
    return out;
  }
}

/**
 * Sampling weights for a training mix in which no stream is read more than `maxEpochs` times: each stream's
 * share follows its `preference` until it would pass `maxEpochs` over the `plannedTokens` of the run; such a
 * stream is held at that cap and the rest of the mass goes to the others in proportion to their preference
 * (water-filling). Returns the shares (summing to 1) and the epochs each stream will see. Throws if even
 * every stream at its cap cannot supply the planned tokens.
 */
export function cappedShares(
  streams: readonly { language: string; tokens: number; preference: number }[],
  plannedTokens: number,
  maxEpochs: number,
): Map<string, { share: number; epochs: number }> {
  if (!(plannedTokens > 0) || !(maxEpochs > 0)) throw new Error(`cappedShares: plannedTokens (${plannedTokens}) and maxEpochs (${maxEpochs}) must be positive`);
  const usable = streams.filter((s) => s.preference > 0);
  const capacity = usable.reduce((a, s) => a + s.tokens * maxEpochs, 0);
  if (capacity < plannedTokens) {
    throw new Error(`the training text with a positive preference holds ${usable.reduce((a, s) => a + s.tokens, 0)} tokens: ${plannedTokens} planned tokens would read it more than ${maxEpochs} times; add text or plan fewer tokens`);
  }
  const cap = new Map(streams.map((s) => [s.language, (s.tokens * maxEpochs) / plannedTokens]));
  const share = new Map<string, number>();
  let free = usable;
  let mass = 1;
  for (;;) {
    const total = free.reduce((a, s) => a + s.preference, 0);
    const over = free.filter((s) => (mass * s.preference) / total > cap.get(s.language)!);
    if (over.length === 0) {
      for (const s of free) share.set(s.language, (mass * s.preference) / total);
      break;
    }
    for (const s of over) {
      share.set(s.language, cap.get(s.language)!);
      mass -= cap.get(s.language)!;
    }
    free = free.filter((s) => !over.includes(s));
    if (free.length === 0) break;
  }
  return new Map(streams.map((s) => {
    const sh = share.get(s.language) ?? 0;
    return [s.language, { share: sh, epochs: (sh * plannedTokens) / s.tokens }];
  }));
}
