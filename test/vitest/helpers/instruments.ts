/**
 * Synthetic test instruments: tiny checkpoints (byte tokenizer, 1 layer, hidden 32–48) built so that each
 * finding is KNOWN to be present — the positive controls the matchers must pass — next to texts for
 * them. They are not models of anything: each is trained for a few hundred steps on a few repeated
 * sentences (seconds on ONNX Runtime), with structure planted where a finding needs it.
 *
 * - `competent`: trained on en, es, ru. It has real competence, so its top-importance region matters
 *   (zeroing it hurts) and a random one of the same size barely does; zh is a language it never saw
 *   (for further pre-training).
 * - `massiveDim`: like `competent`, but residual dim {@link MASSIVE_DIM} carries a large constant from
 *   every token's embedding (frozen during training) — a planted "massive activation". The model trains
 *   with it dominating every RMSNorm, so it learns to read it as a bias; scaling the post-attention norm
 *   weight at that one dim ×4 changes those biases ×4 and breaks the model, while ×4 on an ordinary dim
 *   does little.
 * - `blocks`: three synthetic languages with disjoint alphabets (lowercase, uppercase, digits), each
 *   with its own block of residual dims, attention head and MLP units; off-block weights are held at 0
 *   during training. Each language's competence therefore lives in its own parameters: a monolingual
 *   region that the importance finds, and whose removal hurts that language alone.
 * - `untrained`: a random init with no competence anywhere (a negative control for every finding).
 *
 * Built deterministically (seeded init, ONNX Runtime, 2 threads) and cached in the OS temp folder by a hash
 * of the recipe, so the test files share one build; a build goes to a private folder and is renamed into
 * place, so parallel workers never see half a checkpoint.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { byteTokenizerJson, generateCheckpoint } from '../../../src/checkpoint/generate.js';
import { saveCheckpoint } from '../../../src/checkpoint/save.js';
import type { ModelConfig } from '../../../src/checkpoint/config.js';
import type { HostTensor } from '../../../src/checkpoint/types.js';
import { readTexts } from '../../../src/corpus/texts.js';
import { textWindows } from '../../../src/corpus/windows.js';
import { loadTokenizer } from '../../../src/tokenizer/tokenizer.js';
import { Trainer } from '../../../src/train/trainer.js';
import { mulberry32 } from '../../../src/util/random.js';

/** The residual dim of `massiveDim` that carries the planted constant. */
export const MASSIVE_DIM = 7;

/** Sentences of each synthetic language; a text is them repeated. */
export const SENTENCES: Record<string, string> = {
  en: 'the cat sat on the mat and the dog ran to the park.\nshe reads a book every night before she sleeps.\n',
  es: 'el gato duerme en la casa y el perro corre al parque.\nella lee un libro cada noche antes de dormir.\n',
  ru: 'кошка спит на ковре, а собака бежит в парк.\nона читает книгу каждый вечер перед сном.\n',
  zh: '我们在这里学习新的语言，每天读书写字。\n今天天气很好，我们去公园散步吧。\n',
  lower: 'the cat sat on the mat and the dog ran to the park\nshe reads a book every night before she sleeps\n',
  upper: 'A_BIRD_FLEW_OVER_THE_OLD_RED_BARN\nWE_CLIMB_HILLS_WHEN_SKIES_ARE_CLEAR\n',
  digit: '12+34=46;56+17=73;80-25=55;\n9*9=81;7*8=56;64/8=8;\n',
};

/** Where an instrument lies: the checkpoint folder, and its evaluation and training text folders. */
export interface Instrument {
  checkpoint: string;
  texts: string;
  trainTexts: string;
  /** Languages it was trained on. */
  trained: string[];
  /** Languages with texts (trained ones, plus any it never saw). */
  languages: string[];
}

interface Recipe {
  name: string;
  seed: number;
  config: Record<string, unknown>;
  trained: string[];
  extra: string[];
  steps: number;
  /** Adam's learning rate (default 1e-2). */
  lr?: number;
  /** Changes the initial weights and returns the masks (1 = held fixed) for training. */
  prepare?: (weights: Map<string, HostTensor>) => Map<string, Uint8Array>;
  /** Changes the trained weights before they are saved (given the training windows); what it returns is saved as plant.json. */
  plant?: (weights: Map<string, HostTensor>, config: ModelConfig, windows: number[][]) => Promise<Record<string, number>>;
}

const SEQ_LEN = 32;
const VERSION = 2; // bump when the build below changes (2: trained on ONNX Runtime with host Adam)

function writeTexts(dir: string, languages: readonly string[], repeat: number): void {
  mkdirSync(dir, { recursive: true });
  for (const l of languages) writeFileSync(join(dir, `${l}.txt`), SENTENCES[l]!.repeat(repeat));
}

async function train(dir: string, recipe: Recipe): Promise<void> {
  const generated = generateCheckpoint(dir, { seed: recipe.seed, tokenizer: 'bytes', config: recipe.config });
  const masks = recipe.prepare?.(generated.weights) ?? new Map<string, Uint8Array>();
  const tokenizer = loadTokenizer(join(dir, 'tokenizer.json'));
  const windows = recipe.trained.map(
    (l) => textWindows(SENTENCES[l]!.repeat(8), tokenizer, { seqLen: SEQ_LEN }).windows.filter((w) => w.length === SEQ_LEN),
  );
  // Plain Adam (lr 1e-2 unless the recipe says, no decay, no clipping) on ONNX Runtime; the recipe's masks are frozen.
  const lr = recipe.lr ?? 1e-2;
  const trainer = await Trainer.open(generated.config, generated.weights, {
    adam: { lr },
    clipNorm: 0,
    frozen: masks,
    engine: 'ort-cpu',
    threads: 2,
    batch: 2 * recipe.trained.length,
    seqLen: SEQ_LEN,
  });
  const rng = mulberry32(recipe.seed);
  try {
    for (let step = 0; step < recipe.steps; step++) {
      const batch = windows.flatMap((ws) => [0, 1].map(() => ws[Math.floor(rng() * ws.length)]!));
      await trainer.trainStep(batch, lr);
    }
    const trained = new Map(trainer.weights);
    if (recipe.plant !== undefined) {
      const copy = new Map([...trained].map(([n, t]) => [n, { shape: [...t.shape], data: t.data.slice() }]));
      const measured = await recipe.plant(copy, generated.config, windows.flat());
      writeFileSync(join(dir, 'plant.json'), `${JSON.stringify(measured, null, 2)}\n`);
      saveCheckpoint(dir, { config: generated.rawConfig, weights: copy, tokenizerJson: byteTokenizerJson() });
    } else {
      saveCheckpoint(dir, { config: generated.rawConfig, weights: trained, tokenizerJson: byteTokenizerJson() });
    }
  } finally {
    await trainer.close();
  }
}

async function build(recipe: Recipe): Promise<Instrument> {
  const key = createHash('sha256')
    .update(JSON.stringify({ VERSION, ...recipe, prepare: recipe.prepare?.toString() ?? null, plant: recipe.plant?.toString() ?? null }))
    .digest('hex')
    .slice(0, 16);
  const root = join(tmpdir(), 'vitest-regions-instruments', `${recipe.name}-${key}`);
  const languages = [...recipe.trained, ...recipe.extra];
  const instrument = { checkpoint: join(root, 'model'), texts: join(root, 'eval'), trainTexts: join(root, 'train'), trained: recipe.trained, languages };
  if (existsSync(join(instrument.checkpoint, 'config.json'))) return instrument;
  const staging = `${root}.build-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    mkdirSync(join(staging, 'model'), { recursive: true });
    if (recipe.steps > 0) await train(join(staging, 'model'), recipe);
    else generateCheckpoint(join(staging, 'model'), { seed: recipe.seed, tokenizer: 'bytes', config: recipe.config });
    writeTexts(join(staging, 'eval'), languages, 3);
    writeTexts(join(staging, 'train'), languages, 12);
    try {
      renameSync(staging, root);
    } catch (err) {
      if (!existsSync(join(instrument.checkpoint, 'config.json'))) throw err; // another worker won the race: use theirs
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return instrument;
}

const SMALL = { hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 64 };
const WIDE = { ...SMALL, hidden_size: 64, intermediate_size: 128 };

/** Trained on en, es, ru; zh never seen. */
export function competent(): Promise<Instrument> {
  return build({ name: 'competent', seed: 3, config: SMALL, trained: ['en', 'es', 'ru'], extra: ['zh'], steps: 200 });
}

/** `competent` with a planted massive activation: every embedding holds 3 at dim {@link MASSIVE_DIM}, held fixed. */
export function massiveDim(): Promise<Instrument> {
  return build({
    name: 'massive-dim',
    seed: 3,
    config: WIDE,
    trained: ['en', 'es', 'ru'],
    extra: [],
    steps: 300,
    prepare: (weights) => {
      const emb = weights.get('model.embed_tokens.weight')!;
      const [vocab, hidden] = emb.shape as [number, number];
      const mask = new Uint8Array(emb.data.length);
      for (let v = 0; v < vocab; v++) {
        emb.data[v * hidden + 7] = 4;
        mask[v * hidden + 7] = 1;
      }
      return new Map([['model.embed_tokens.weight', mask]]);
    },
  });
}

/** Where `superWeight` plants its super weight: `model.layers.0.mlp.down_proj.weight[63][127]`. */
export const SUPER_WEIGHT = { layer: 0, row: 63, col: 127 } as const;

/**
 * A super weight built by hand (Yu et al.'s mechanism, not any real model's finding). Trained like
 * `competent` (d 64) with residual dims 62 and 63 and FFN channel 127 held at zero everywhere, then planted:
 * every embedding gets a tiny constant at dim 62 (1e-3 of its rms: the norms barely see it), channel 127 reads
 * only dim 62 with a gain that makes it fire ≈ 100 on every token, and ONE weight, `down_proj[63][127] = 40`,
 * writes that into dim 63 — a massive activation of ≈ 4,000 that dominates the final RMSNorm. The final
 * norm's weights are rescaled so the model predicts as before (its ppl moves by under a few percent, checked
 * in the tests); zeroing the one weight removes the constant and every logit grows by the rescale factor.
 */
export function superWeight(): Promise<Instrument> {
  return build({
    name: 'super-weight',
    seed: 3,
    config: WIDE,
    trained: ['en', 'es', 'ru'],
    extra: [],
    steps: 300,
    prepare: (weights) => {
      const [q, r, c] = [62, 63, 127]; // the carrier dim, SUPER_WEIGHT's row and col (inlined: the recipe's hash reads this text)
      const masks = new Map<string, Uint8Array>();
      const zero = (name: string, at: (row: number, col: number) => boolean) => {
        const w = weights.get(name)!;
        const [rows, cols] = w.shape as [number, number];
        const mask = new Uint8Array(w.data.length);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (at(i, j)) (w.data[i * cols + j] = 0), (mask[i * cols + j] = 1);
        masks.set(name, mask);
      };
      const dim = (k: number) => k === q || k === r;
      zero('model.embed_tokens.weight', (_v, j) => dim(j));
      zero('lm_head.weight', (_v, j) => dim(j));
      for (const m of ['q_proj', 'k_proj', 'v_proj']) zero(`model.layers.0.self_attn.${m}.weight`, (_i, j) => dim(j));
      zero('model.layers.0.self_attn.o_proj.weight', (i) => dim(i));
      for (const m of ['gate_proj', 'up_proj']) zero(`model.layers.0.mlp.${m}.weight`, (i, j) => dim(j) || i === c);
      zero('model.layers.0.mlp.down_proj.weight', (i, j) => dim(i) || j === c);
      return masks;
    },
    plant: async (weights, config, windows) => {
      const [q, r, c] = [62, 63, 127];
      const d = config.hiddenSize;
      const ffn = config.intermediateSize;
      const { OrtModel } = await import('../../../src/engine/onnx/ort-model.js');
      const { windowsPerplexity } = await import('../../../src/metrics/perplexity.js');
      /** Mean over positions of the final residual's rms, channel c's largest |activation|, and the training windows' ppl. */
      const probe = async () => {
        const model = new OrtModel(config, weights, { threads: 2 });
        try {
          const a = await model.observe('activations', windows);
          const { ppl } = await windowsPerplexity(model, windows, windows.length * (windows[0]!.length - 1));
          const last = a.hidden.subarray(config.numLayers * (a.hidden.length / (config.numLayers + 1)));
          let sum = 0;
          for (let t = 0; t < last.length / d; t++) sum += Math.sqrt(last.subarray(t * d, (t + 1) * d).reduce((s, v) => s + v * v, 0) / d);
          return { rms: sum / (last.length / d), act: a.downInMax[c]!, ppl };
        } finally {
          await model.release();
        }
      };
      const before = await probe();
      const emb = weights.get('model.embed_tokens.weight')!.data;
      let e2 = 0;
      for (const v of emb) e2 += v * v;
      const carrier = 1e-3 * Math.sqrt(e2 / emb.length);
      for (let v = 0; v < emb.length / d; v++) emb[v * d + q] = carrier;
      const gate = weights.get('model.layers.0.mlp.gate_proj.weight')!.data;
      const up = weights.get('model.layers.0.mlp.up_proj.weight')!.data;
      gate[c * d + q] = up[c * d + q] = 1;
      // With gain 1, act = SiLU(x)·x ≈ x²/2 for the tiny x = the normed carrier: set the gain so that x·gain = 10.
      const x = Math.sqrt(2 * (await probe()).act);
      gate[c * d + q] = up[c * d + q] = 10 / x;
      weights.get('model.layers.0.mlp.down_proj.weight')!.data[r * ffn + c] = 40;
      const after = await probe();
      const norm = weights.get('model.norm.weight')!.data;
      for (let k = 0; k < d; k++) norm[k] = k === r ? 0 : norm[k]! * (after.rms / before.rms);
      return { pplBefore: before.ppl, pplAfter: (await probe()).ppl, rmsBefore: before.rms, rmsAfter: after.rms };
    },
  });
}

/** A random init: no competence. */
export function untrained(): Promise<Instrument> {
  return build({ name: 'untrained', seed: 5, config: SMALL, trained: [], extra: ['en', 'es', 'ru'], steps: 0 });
}

/** Three languages, one block of 16 residual dims, one head and 32 MLP units each; off-block weights held at 0. */
export function blocks(): Promise<Instrument> {
  return build({
    name: 'blocks',
    seed: 4,
    config: { hidden_size: 48, intermediate_size: 96, num_hidden_layers: 1, num_attention_heads: 3, num_key_value_heads: 3, head_dim: 16, max_position_embeddings: 64 },
    trained: ['lower', 'upper', 'digit'],
    extra: [],
    steps: 300,
    prepare: (weights) => {
      // Which block (= language) each index of each axis belongs to: hidden dims and head dims in 16s, MLP units in 32s.
      const LANGS = ['lower', 'upper', 'digit'];
      const hiddenBlock = (j: number) => Math.floor(j / 16);
      const unitBlock = (u: number) => Math.floor(u / 32);
      const tokenBlocks = new Map<number, Set<number>>();
      LANGS.forEach((l, b) => {
        for (const byte of new TextEncoder().encode(SENTENCES[l]!)) {
          if (byte === 10) continue; // '\n' is every language's
          (tokenBlocks.get(byte) ?? tokenBlocks.set(byte, new Set()).get(byte)!).add(b);
        }
      });
      const masks = new Map<string, Uint8Array>();
      const hold = (name: string, offBlock: (row: number, col: number) => boolean) => {
        const w = weights.get(name)!;
        const [rows, cols] = w.shape as [number, number];
        const mask = new Uint8Array(rows * cols);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            if (offBlock(r, c)) {
              w.data[r * cols + c] = 0;
              mask[r * cols + c] = 1;
            }
          }
        }
        masks.set(name, mask);
      };
      for (const m of ['q_proj', 'k_proj', 'v_proj']) hold(`model.layers.0.self_attn.${m}.weight`, (r, c) => hiddenBlock(r) !== hiddenBlock(c));
      hold('model.layers.0.self_attn.o_proj.weight', (r, c) => hiddenBlock(r) !== hiddenBlock(c));
      for (const m of ['gate_proj', 'up_proj']) hold(`model.layers.0.mlp.${m}.weight`, (r, c) => unitBlock(r) !== hiddenBlock(c));
      hold('model.layers.0.mlp.down_proj.weight', (r, c) => hiddenBlock(r) !== unitBlock(c));
      // A token's embedding lives in the blocks of the languages that use it (BOS, '\n': all of them).
      hold('model.embed_tokens.weight', (t, c) => {
        const bs = tokenBlocks.get(t);
        return bs !== undefined && !bs.has(hiddenBlock(c));
      });
      return masks;
    },
  });
}

/** The FFN neurons `languageNeuronsModel` plants: (layer, neuron) for ru and for zh. */
export const LANGUAGE_NEURONS = { ru: { layer: 0, neuron: 3 }, zh: { layer: 1, neuron: 5 } } as const;

/**
 * Language neurons built by hand (not trained, not any real model's finding): a generated byte model (d 16,
 * FFN 128, 2 layers) whose attention and MLP write nothing, but for two neurons — (0, 3) fires on Cyrillic
 * lead bytes (0xD0/0xD1) and (1, 5) on CJK lead bytes (0xE4–0xE9); each writes +≈50 into its own residual dim
 * (3, 4), which lm_head reads as "a UTF-8 continuation byte (0x80–0xBF) comes next". So each neuron carries
 * part of its language's competence and nothing of the others', and LAPE (1% of 256 neurons) selects exactly
 * those two. Texts: the UDHR's en, ru, zh (evaluation and training alike).
 */
export function languageNeuronsModel(): Instrument {
  const languages = ['en', 'ru', 'zh'];
  const key = createHash('sha256').update(`${VERSION} ${languageNeuronsModel.toString()}`).digest('hex').slice(0, 16);
  const root = join(tmpdir(), 'vitest-regions-instruments', `language-neurons-${key}`);
  const instrument = { checkpoint: join(root, 'model'), texts: join(root, 'eval'), trainTexts: join(root, 'train'), trained: languages, languages };
  if (existsSync(join(instrument.checkpoint, 'config.json'))) return instrument;
  const staging = `${root}.build-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    const dir = join(staging, 'model');
    mkdirSync(dir, { recursive: true });
    const g = generateCheckpoint(dir, { seed: 5, tokenizer: 'bytes', config: { hidden_size: 16, intermediate_size: 128, num_hidden_layers: 2, max_position_embeddings: 64 } });
    const { hiddenSize: d, intermediateSize: ffn, vocabSize } = g.config;
    const w = g.weights;
    const embed = w.get('model.embed_tokens.weight')!.data; // [vocab, d]
    const cyrillic = (b: number) => b === 0xd0 || b === 0xd1;
    const cjk = (b: number) => b >= 0xe4 && b <= 0xe9;
    for (let id = 0; id < vocabSize; id++) {
      embed[id * d] = cyrillic(id) ? 5 : -5;
      embed[id * d + 1] = cjk(id) ? 5 : -5;
      embed[id * d + 2] = 5;
    }
    const planted = { 0: { neuron: 3, reads: 0, writes: 3 }, 1: { neuron: 5, reads: 1, writes: 4 } } as const;
    for (const layer of [0, 1] as const) {
      const p = `model.layers.${layer}`;
      w.get(`${p}.self_attn.o_proj.weight`)!.data.fill(0);
      const gate = w.get(`${p}.mlp.gate_proj.weight`)!.data; // [ffn, d]
      const up = w.get(`${p}.mlp.up_proj.weight`)!.data;
      const down = w.get(`${p}.mlp.down_proj.weight`)!.data; // [d, ffn]
      gate.fill(0);
      up.fill(0);
      down.fill(0);
      for (let j = 0; j < ffn; j++) gate[j * d + 2] = -10; // silent everywhere…
      const { neuron, reads, writes } = planted[layer];
      gate[neuron * d + 2] = 0;
      gate[neuron * d + reads] = 10; // …but the planted one, on its lead bytes
      up[neuron * d + 2] = 1;
      down[writes * ffn + neuron] = 1;
    }
    const head = w.get('lm_head.weight')!.data; // [vocab, d]
    for (let b = 0x80; b <= 0xbf; b++) head[b * d + 3] = head[b * d + 4] = 5;
    saveCheckpoint(dir, { config: g.rawConfig, weights: w, tokenizerJson: byteTokenizerJson() });
    for (const folder of ['eval', 'train']) {
      mkdirSync(join(staging, folder), { recursive: true });
      for (const [l, text] of readTexts('udhr', languages)) writeFileSync(join(staging, folder, `${l}.txt`), text);
    }
    try {
      renameSync(staging, root);
    } catch (err) {
      if (!existsSync(join(instrument.checkpoint, 'config.json'))) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return instrument;
}
