/**
 * Resume states of a training loop — its own JSON state (with its step), the weights and AdamW's moments —
 * saved so that a crash at any moment leaves the last complete state loadable:
 *
 *     <dir>/resume-<n>/{state.json, model.safetensors, adam.safetensors}   the newest complete state (largest n)
 *     <dir>/.partial-resume-…/                                              one being written (ignored)
 *
 * A save writes the whole state into a `.partial-…` folder next to the others, then ONE rename of that
 * folder to `resume-<n+1>` commits it, and only then are the older ones deleted. Before the rename the
 * previous state is untouched; after it the new one is complete. A state holding a NaN or infinite weight
 * or moment is refused before anything is written, so a run gone non-finite cannot replace a good state.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsHeader, readTensorFloat32, writeFileAtomic, writeSafetensors } from '../checkpoint/safetensors.js';
import type { HostTensor } from '../checkpoint/types.js';
import type { AdamState } from './adam.js';

/** A training loop's resume state: its own JSON-able state (at `step`), the weights, AdamW's state. */
export interface ResumeState<S extends { step: number }> {
  state: S;
  weights: Map<string, HostTensor>;
  adam: AdamState;
}

const GENERATION = /^resume-(\d+)$/;
const PARTIAL = '.partial-resume-';

/** The committed generations in `dir`, newest first. */
function generations(dir: string): { n: number; path: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const m = GENERATION.exec(name);
      return m === null ? [] : [{ n: Number(m[1]), path: join(dir, name) }];
    })
    .sort((a, b) => b.n - a.n);
}

/** Throws, naming the tensor and index, at the first value that is not a finite number. */
function assertFinite(what: string, name: string, data: Float32Array, dir: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new Error(`saveResumeState(${dir}): ${what} ${name}[${i}] is ${data[i]}; a resume state holds finite numbers only, so the previous one is kept`);
    }
  }
}

/** Best effort: directories cannot be fsynced on every platform. */
function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported here
  }
}

/**
 * Saves a resume state into `dir` (created if missing) as its newest generation, atomically (see the
 * module comment), and deletes the older generations and any partial folder a crash left.
 * @throws Error, before writing anything, when a weight or moment is NaN or infinite, or when the steps of
 *   `state` and `adam` differ.
 */
export function saveResumeState<S extends { step: number }>(dir: string, state: S, weights: ReadonlyMap<string, HostTensor>, adam: AdamState): void {
  if (state.step !== adam.step) throw new Error(`saveResumeState(${dir}): the state is at step ${state.step} but AdamW at step ${adam.step}`);
  for (const [name, w] of weights) assertFinite('weight', name, w.data, dir);
  for (const [name, m] of adam.m) {
    assertFinite('AdamW first moment of', name, m, dir);
    assertFinite('AdamW second moment of', name, adam.v.get(name) ?? new Float32Array(), dir);
  }
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) if (name.startsWith(PARTIAL)) rmSync(join(dir, name), { recursive: true, force: true });
  const partial = join(dir, `${PARTIAL}${process.pid}-${randomBytes(6).toString('hex')}`);
  mkdirSync(partial);
  try {
    const step = { step: String(state.step) };
    writeSafetensors(join(partial, 'model.safetensors'), [...weights].map(([name, w]) => ({ name, dtype: 'F32' as const, shape: w.shape, data: w.data })), step);
    const moments = [...adam.m].flatMap(([name, m]) => {
      const v = adam.v.get(name);
      if (v === undefined) throw new Error(`saveResumeState(${dir}): AdamW has a first moment of ${name} but no second moment`);
      return [
        { name: `m.${name}`, dtype: 'F32' as const, shape: [m.length], data: m },
        { name: `v.${name}`, dtype: 'F32' as const, shape: [v.length], data: v },
      ];
    });
    writeSafetensors(join(partial, 'adam.safetensors'), moments, step);
    writeFileAtomic(join(partial, 'state.json'), (fd) => writeFileSync(fd, JSON.stringify(state)));
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    throw err;
  }
  const older = generations(dir);
  renameSync(partial, join(dir, `resume-${(older[0]?.n ?? 0) + 1}`)); // the commit
  fsyncDir(dir);
  for (const g of older) rmSync(g.path, { recursive: true, force: true });
}

/**
 * The newest resume state in `dir`, or null where there is none. `shapes` lists the weights to read and
 * their shapes (e.g. `expectedWeightShapes(config)`); moments are read for the weights that have them.
 * @throws Error naming the file and what was expected: a weight missing or of another shape, files of
 *   different steps, or a state in the layout before generations (written file by file, not atomically).
 */
export function loadResumeState<S extends { step: number }>(dir: string, shapes: Iterable<readonly [string, readonly number[]]>): ResumeState<S> | null {
  const newest = generations(dir)[0];
  if (newest === undefined) {
    if (existsSync(join(dir, 'state.json'))) {
      throw new Error(`${join(dir, 'state.json')}: a resume state in the old layout (three files written one by one, not atomically); it cannot be told complete: delete ${dir} to start over`);
    }
    return null;
  }
  const stateFile = join(newest.path, 'state.json');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as S;
  const mh = readSafetensorsHeader(join(newest.path, 'model.safetensors'));
  const ah = readSafetensorsHeader(join(newest.path, 'adam.safetensors'));
  for (const h of [mh, ah]) {
    if (h.metadata.step !== String(state.step)) throw new Error(`${h.file}: at step ${h.metadata.step}, but ${stateFile} is at step ${state.step}`);
  }
  const weights = new Map<string, HostTensor>();
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [name, shape] of shapes) {
    const entry = mh.entries.get(name);
    if (entry === undefined) throw new Error(`${mh.file}: no tensor ${name}`);
    if (entry.shape.join() !== shape.join()) throw new Error(`${mh.file}: ${name} has shape [${entry.shape.join(', ')}], expected [${shape.join(', ')}]`);
    weights.set(name, { shape: [...shape], data: readTensorFloat32(mh, name) });
    if (ah.entries.has(`m.${name}`)) {
      m.set(name, readTensorFloat32(ah, `m.${name}`));
      v.set(name, readTensorFloat32(ah, `v.${name}`));
    }
  }
  return { state, weights, adam: { step: state.step, m, v } };
}
