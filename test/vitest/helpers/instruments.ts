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
import type { HostTensor } from '../../../src/checkpoint/types.js';
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
  /** Changes the initial weights and returns the masks (1 = held fixed) for training. */
  prepare?: (weights: Map<string, HostTensor>) => Map<string, Uint8Array>;
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
  // Plain Adam (lr 1e-2, no decay, no clipping) on ONNX Runtime; the recipe's masks are frozen.
  const trainer = await Trainer.open(generated.config, generated.weights, {
    adam: { lr: 1e-2 },
    clipNorm: 0,
    frozen: masks,
    engine: 'ort-cpu',
    threads: 2,
    batchTokens: 2 * recipe.trained.length * SEQ_LEN,
  });
  const rng = mulberry32(recipe.seed);
  try {
    for (let step = 0; step < recipe.steps; step++) {
      const batch = windows.flatMap((ws) => [0, 1].map(() => ws[Math.floor(rng() * ws.length)]!));
      await trainer.trainStep(batch, 1e-2);
    }
    saveCheckpoint(dir, { config: generated.rawConfig, weights: new Map(trainer.weights), tokenizerJson: byteTokenizerJson() });
  } finally {
    await trainer.close();
  }
}

async function build(recipe: Recipe): Promise<Instrument> {
  const key = createHash('sha256')
    .update(JSON.stringify({ VERSION, ...recipe, prepare: recipe.prepare?.toString() ?? null }))
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
