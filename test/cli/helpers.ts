import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCheckpoint } from '../../src/checkpoint/generate.js';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** A temp folder with a tiny byte-tokenizer checkpoint and a texts folder of three short languages. */
export interface CliFixture {
  root: string;
  checkpoint: string;
  texts: string;
  /** Writes `content` to a file in the fixture folder and returns its path. */
  file(name: string, content: string): string;
  remove(): void;
}

export const TEXTS: Record<string, string> = {
  en: 'The cat sat on the mat.\nIt was a sunny day in the city.\n',
  de: 'Die Katze saß auf der Matte.\nEs war ein sonniger Tag.\n',
  zh: '猫坐在垫子上。\n今天天气很好。\n',
};

export function makeFixture(): CliFixture {
  const root = mkdtempSync(join(tmpdir(), 'regions-cli-'));
  const checkpoint = join(root, 'checkpoint');
  generateCheckpoint(checkpoint, { seed: 7, tokenizer: 'bytes' });
  const texts = join(root, 'texts');
  mkdirSync(texts);
  for (const [lang, text] of Object.entries(TEXTS)) writeFileSync(join(texts, `${lang}.txt`), text);
  return {
    root,
    checkpoint,
    texts,
    file(name, content) {
      const path = join(root, name);
      writeFileSync(path, content);
      return path;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** What one in-process run of `regions` did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `regions argv…` in-process with captured stdout/stderr. */
export async function runCli(argv: string[], options: { isTTY?: boolean } = {}): Promise<CliRun> {
  const run: CliRun = { code: -1, stdout: '', stderr: '' };
  const io: CliIo = {
    stdout: { write: (text: string) => (run.stdout += text) },
    stderr: { write: (text: string) => (run.stderr += text), isTTY: options.isTTY ?? false },
  };
  run.code = await main(argv, io);
  return run;
}
