import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import { loadCheckpoint } from '../../src/checkpoint/load.js';
import { writeSafetensors } from '../../src/checkpoint/safetensors.js';
import {
  editConfig,
  editTensor,
  editWeights,
  expectCheckpointError,
  readAllRaw,
  shardWeights,
  useTempDir,
  writeIndex,
} from './helpers.js';

const tmp = useTempDir();

/** A valid tiny llama checkpoint in `<tmp>/ckpt`; returns its path. */
function checkpoint(config: Record<string, unknown> = {}): string {
  const dir = join(tmp.path, 'ckpt');
  generateCheckpoint(dir, { seed: 1, config });
  return dir;
}

describe('config.json problems', () => {
  test('config.json missing', () => {
    const dir = checkpoint();
    rmSync(join(dir, 'config.json'));
    expectCheckpointError(() => loadCheckpoint(dir), /ckpt\/config\.json: config\.json is missing/);
  });

  test('config.json not valid JSON', () => {
    const dir = checkpoint();
    writeFileSync(join(dir, 'config.json'), '{"model_type": "llama",');
    expectCheckpointError(() => loadCheckpoint(dir), /config\.json: not valid JSON/);
  });

  test('hidden_size not divisible by the number of heads', () => {
    const dir = checkpoint();
    editConfig(dir, { hidden_size: 30 });
    expectCheckpointError(() => loadCheckpoint(dir), /config\.json \(hidden_size\): hidden_size 30 is not divisible by num_attention_heads 4/);
  });

  test('num_key_value_heads not dividing num_attention_heads', () => {
    const dir = checkpoint();
    editConfig(dir, { num_key_value_heads: 3 });
    expectCheckpointError(() => loadCheckpoint(dir), /config\.json \(num_key_value_heads\): num_key_value_heads 3 does not divide num_attention_heads 4/);
  });

  test('vocab_size disagreeing with the embedding', () => {
    const dir = checkpoint();
    editConfig(dir, { vocab_size: 100 });
    expectCheckpointError(
      () => loadCheckpoint(dir),
      /config\.json \(vocab_size\): vocab_size 100 in config\.json disagrees with model\.embed_tokens\.weight in .*model\.safetensors, which has 64 rows/,
    );
  });

  test('an unsupported rope_scaling kind', () => {
    const dir = checkpoint();
    editConfig(dir, { rope_scaling: { rope_type: 'yarn', factor: 4 } });
    expectCheckpointError(() => loadCheckpoint(dir), /config\.json \(rope_scaling\.rope_type\): rope scaling of kind "yarn" is not supported/);
  });

  test('an unknown model_type', () => {
    const dir = checkpoint();
    editConfig(dir, { model_type: 'gpt2' });
    expectCheckpointError(
      () => loadCheckpoint(dir),
      /config\.json \(model_type\): model_type must be one of "llama", "mistral", "qwen2", "qwen3", "gemma2", "gemma3_text", "phi3", "olmo2" \(got "gpt2"\)/,
    );
  });

  test('the multimodal gemma3 is refused with a hint to the text model', () => {
    const dir = checkpoint();
    editConfig(dir, { model_type: 'gemma3' });
    expectCheckpointError(() => loadCheckpoint(dir), /config\.json \(model_type\): the multimodal Gemma-3 .* has model_type "gemma3_text" \(got "gemma3"\)/);
  });

  test('a known family with an unsupported value names the field and the value', () => {
    const dir = checkpoint();
    editConfig(dir, { model_type: 'gemma2', hidden_activation: 'relu' });
    expectCheckpointError(() => loadCheckpoint(dir), /config\.json \(hidden_activation\): activation "relu" is not supported/);
    editConfig(dir, { model_type: 'phi3', hidden_activation: undefined, rope_scaling: { type: 'longrope', short_factor: [1], long_factor: [1] } });
    expectCheckpointError(() => loadCheckpoint(dir), /config\.json \(rope_scaling\.rope_type\): rope scaling of kind "longrope" is not supported/);
    editConfig(dir, { model_type: 'gemma3_text', rope_scaling: null, layer_types: ['full_attention'] });
    expectCheckpointError(() => loadCheckpoint(dir), /config\.json \(layer_types\): layer_types has 1 entries for num_hidden_layers 2/);
  });

  test('tensors of another family: a phi3 config over a checkpoint with separate q/k/v names the missing fused tensor', () => {
    const dir = checkpoint();
    editConfig(dir, { model_type: 'phi3' });
    expectCheckpointError(() => loadCheckpoint(dir), /model\.layers\.0\.self_attn\.qkv_proj\.weight.*required tensor is missing .*the files hold model\.layers\.0\.self_attn\.q_proj\.weight, which model_type "phi3" does not use: is config\.json's model_type right\?/);
  });
});

describe('weight problems', () => {
  test('a required tensor missing', () => {
    const dir = checkpoint();
    editWeights(dir, (tensors) => tensors.filter((t) => t.name !== 'model.layers.1.mlp.up_proj.weight'));
    expectCheckpointError(
      () => loadCheckpoint(dir),
      /model\.safetensors \(model\.layers\.1\.mlp\.up_proj\.weight\): required tensor is missing \(expected shape \[64, 32\]\)/,
    );
  });

  test('lm_head missing hints at tie_word_embeddings', () => {
    const dir = checkpoint();
    editWeights(dir, (tensors) => tensors.filter((t) => t.name !== 'lm_head.weight'));
    expectCheckpointError(() => loadCheckpoint(dir), /\(lm_head\.weight\): required tensor is missing .*"tie_word_embeddings": true/);
  });

  test('a tensor of the wrong shape', () => {
    const dir = checkpoint();
    editWeights(dir, (tensors) =>
      tensors.map((t) => (t.name === 'model.layers.0.mlp.down_proj.weight' ? { ...t, shape: [64, 32] } : t)),
    );
    expectCheckpointError(
      () => loadCheckpoint(dir),
      /model\.safetensors \(model\.layers\.0\.mlp\.down_proj\.weight\): wrong shape: expected \[32, 64\], got \[64, 32\]/,
    );
  });

  test('a weight stored as integers', () => {
    const dir = checkpoint();
    editWeights(dir, (tensors) => tensors.map((t) => (t.name === 'model.norm.weight' ? { ...t, dtype: 'I32' } : t)));
    expectCheckpointError(() => loadCheckpoint(dir), /model\.safetensors \(model\.norm\.weight\): dtype I32 cannot be read as a floating-point weight/);
  });

  test('a tensor name listed twice in one file', () => {
    const dir = checkpoint();
    const file = join(dir, 'model.safetensors');
    const tensors = readAllRaw(file);
    writeSafetensors(file, [...tensors, { ...tensors[0]!, name: 'model.norm.weight__dup' }]);
    // Rename the copy in the raw header text to the original's name: same length, so offsets stay valid.
    const bytes = readFileSync(file);
    const text = bytes.toString('latin1').replace('"model.norm.weight__dup"', '"model.norm.weight"     ');
    writeFileSync(file, Buffer.from(text, 'latin1'));
    expectCheckpointError(() => loadCheckpoint(dir), /model\.safetensors \(model\.norm\.weight\): tensor name appears twice in the header/);
  });

  test.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
  ])('%s in a weight is an error naming the tensor and the count', (_, bad) => {
    const dir = checkpoint();
    editTensor(dir, 'model.layers.0.mlp.down_proj.weight', (data) => {
      data[5] = bad;
      data[77] = bad;
    });
    expectCheckpointError(
      () => loadCheckpoint(dir),
      /model\.safetensors \(model\.layers\.0\.mlp\.down_proj\.weight\): 2 of 2048 values are NaN or ±Infinity \(pass allowNonFinite/,
    );
  });

  test('NaN and Infinity are accepted and recorded with allowNonFinite', () => {
    const dir = checkpoint();
    editTensor(dir, 'model.embed_tokens.weight', (data) => {
      data[0] = NaN;
    });
    editTensor(dir, 'lm_head.weight', (data) => {
      data[1] = Infinity;
      data[2] = -Infinity;
      data[3] = NaN;
    });
    const ckpt = loadCheckpoint(dir, { allowNonFinite: true });
    expect(ckpt.nonFinite).toEqual([
      { name: 'model.embed_tokens.weight', count: 1 },
      { name: 'lm_head.weight', count: 3 },
    ]);
    expect(Number.isNaN(ckpt.weights.get('model.embed_tokens.weight')!.data[0])).toBe(true);
  });

  test('a truncated weight file', () => {
    const dir = checkpoint();
    const file = join(dir, 'model.safetensors');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    expectCheckpointError(() => loadCheckpoint(dir), /model\.safetensors \(lm_head\.weight\): data_offsets .* reach past the end of the data/);
  });

  test('an empty weight file', () => {
    const dir = checkpoint();
    writeFileSync(join(dir, 'model.safetensors'), '');
    expectCheckpointError(() => loadCheckpoint(dir), /model\.safetensors: file is 0 bytes long/);
  });
});

describe('folder problems', () => {
  test('a folder that does not exist', () => {
    expectCheckpointError(() => loadCheckpoint(join(tmp.path, 'nowhere')), /nowhere: checkpoint folder does not exist/);
  });

  test('a folder without weights', () => {
    const dir = checkpoint();
    rmSync(join(dir, 'model.safetensors'));
    expectCheckpointError(() => loadCheckpoint(dir), /ckpt: no model\.safetensors or model\.safetensors\.index\.json in the checkpoint folder \(it holds: config\.json\)/);
  });

  test.each(['pytorch_model.bin', 'model.pt', 'model.pth', 'model.ckpt'])('a folder with only %s is refused (pickle)', (name) => {
    const dir = checkpoint();
    renameSync(join(dir, 'model.safetensors'), join(dir, name));
    const pickle = new RegExp(`ckpt: found only pickle weights \\(${name.replace('.', '\\.')}\\).*can execute arbitrary code`);
    expectCheckpointError(() => loadCheckpoint(dir), pickle);
    expectCheckpointError(() => loadCheckpoint(dir), /save_pretrained\(.*safe_serialization=True\)/);
  });

  test('pickle files next to safetensors weights do not matter', () => {
    const dir = checkpoint();
    writeFileSync(join(dir, 'training_args.bin'), 'pickle');
    expect(loadCheckpoint(dir).weights.size).toBeGreaterThan(0);
  });
});

describe('sharded checkpoint problems', () => {
  function sharded(): { dir: string; weightMap: Record<string, string> } {
    const dir = checkpoint();
    return { dir, weightMap: shardWeights(dir, 2) };
  }

  test("a weight_map entry pointing to '../outside.safetensors'", () => {
    const { dir, weightMap } = sharded();
    writeFileSync(join(tmp.path, 'outside.safetensors'), 'x');
    writeIndex(dir, { ...weightMap, 'model.norm.weight': '../outside.safetensors' });
    expectCheckpointError(
      () => loadCheckpoint(dir),
      /model\.safetensors\.index\.json \(weight_map\.model\.norm\.weight\): shard must be a plain relative file name .*\(shard "\.\.\/outside\.safetensors"\)/,
    );
  });

  test('a weight_map entry with an absolute path', () => {
    const { dir, weightMap } = sharded();
    const absolute = join(dir, 'model-00001-of-00002.safetensors');
    writeIndex(dir, { ...weightMap, 'model.norm.weight': absolute });
    expectCheckpointError(() => loadCheckpoint(dir), /index\.json \(weight_map\.model\.norm\.weight\): shard must be a relative file name .*not an absolute path/);
  });

  test('a shard that is a symlink to a file outside the folder', () => {
    const { dir, weightMap } = sharded();
    const shard = weightMap['model.norm.weight']!;
    renameSync(join(dir, shard), join(tmp.path, 'elsewhere.safetensors'));
    symlinkSync(join(tmp.path, 'elsewhere.safetensors'), join(dir, shard));
    expectCheckpointError(() => loadCheckpoint(dir), /index\.json \(weight_map\.[\w.]+\): shard resolves to .*elsewhere\.safetensors, outside the checkpoint folder/);
  });

  test('a missing shard', () => {
    const { dir, weightMap } = sharded();
    rmSync(join(dir, weightMap['model.norm.weight']!));
    expectCheckpointError(() => loadCheckpoint(dir), /index\.json \(weight_map\.[\w.]+\): shard file is missing \(shard "model-0000\d-of-00002\.safetensors"\)/);
  });

  test('a shard that is a folder', () => {
    const { dir, weightMap } = sharded();
    mkdirSync(join(dir, 'sub'));
    writeIndex(dir, { ...weightMap, 'model.norm.weight': 'sub' });
    expectCheckpointError(() => loadCheckpoint(dir), /\(weight_map\.model\.norm\.weight\): shard is not a regular file/);
  });

  test('a tensor present in two shards', () => {
    const { dir } = sharded();
    const first = join(dir, 'model-00001-of-00002.safetensors');
    const stolen = readAllRaw(join(dir, 'model-00002-of-00002.safetensors'))[0]!;
    writeSafetensors(first, [...readAllRaw(first), stolen]);
    expectCheckpointError(
      () => loadCheckpoint(dir),
      new RegExp(`model-00002-of-00002\\.safetensors \\(${stolen.name.replace(/\./g, '\\.')}\\): tensor is also stored in .*model-00001-of-00002\\.safetensors`),
    );
  });

  test('a weight_map naming the wrong shard for a tensor', () => {
    const { dir, weightMap } = sharded();
    const name = Object.keys(weightMap).find((n) => weightMap[n] === 'model-00002-of-00002.safetensors')!;
    writeIndex(dir, { ...weightMap, [name]: 'model-00001-of-00002.safetensors' });
    expectCheckpointError(() => loadCheckpoint(dir), /index\.json \(.+\): weight_map says this tensor is in .*model-00001-of-00002\.safetensors, but that file does not hold it/);
  });

  test('an index that is not valid JSON, or has no weight_map', () => {
    const { dir } = sharded();
    const index = join(dir, 'model.safetensors.index.json');
    writeFileSync(index, '{"weight_map": ');
    expectCheckpointError(() => loadCheckpoint(dir), /model\.safetensors\.index\.json: not valid JSON/);
    writeFileSync(index, JSON.stringify({ metadata: {}, weight_map: ['model-00001-of-00002.safetensors'] }));
    expectCheckpointError(() => loadCheckpoint(dir), /model\.safetensors\.index\.json \(weight_map\): expected \{"metadata": \{\.\.\.\}, "weight_map"/);
    writeFileSync(index, JSON.stringify({ metadata: {}, weight_map: { 'model.norm.weight': 7 } }));
    expectCheckpointError(() => loadCheckpoint(dir), /index\.json \(weight_map\.model\.norm\.weight\): expected/);
  });

  test('a required tensor missing from every shard names the index', () => {
    const { dir, weightMap } = sharded();
    const shard = join(dir, weightMap['model.norm.weight']!);
    writeSafetensors(shard, readAllRaw(shard).filter((t) => t.name !== 'model.norm.weight'));
    const { 'model.norm.weight': _, ...rest } = weightMap;
    writeIndex(dir, rest);
    expectCheckpointError(() => loadCheckpoint(dir), /model\.safetensors\.index\.json \(model\.norm\.weight\): required tensor is missing/);
  });
});
