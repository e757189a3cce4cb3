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
