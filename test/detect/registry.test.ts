/**
 * The registry of detectors is the one list: `regions detect` takes exactly its names (with each declaration's
 * help), docs/detectors.md carries its table, and a declaration's codec round-trips its result through JSON.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DETECTORS, detector, detectorsTable } from '../../src/detect/registry.js';
import { runCli } from '../cli/helpers.js';

describe('the registry of detectors', () => {
  it('docs/detectors.md holds the table the registry renders', () => {
    const doc = readFileSync('docs/detectors.md', 'utf8');
    const between = doc.slice(doc.indexOf('<!-- detectors:begin'), doc.indexOf('<!-- detectors:end'));
    expect(between.split('\n').slice(1).join('\n').trim()).toBe(detectorsTable());
  });

  it('`regions detect --help` lists every detector with its description; an unknown one is refused with the list', async () => {
    const help = await runCli(['detect', '--help']);
    const text = (help.stdout + help.stderr).replace(/\s+/g, ' ');
    for (const d of DETECTORS) {
      expect(text).toContain(`detect ${d.name}`);
      expect(text).toContain(d.description.replace(/\s+/g, ' '));
    }
    const unknown = await runCli(['detect', 'attention-sinks', '--checkpoint', '.']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`detect takes a detector first: ${DETECTORS.map((d) => d.name).join(' or ')} (got "attention-sinks")`);
  });

  it("language-neurons' codec keeps its float32 probabilities exactly through JSON", () => {
    const d = detector('language-neurons');
    const probabilities = { en: Float32Array.from([0.1, 1 / 3, 0]), zh: Float32Array.from([0.7, 0.25, 1e-7]) };
    const value = { probabilities, neurons: [], languages: ['en', 'zh'] } as unknown as Parameters<typeof d.text>[0];
    const back = d.codec!.decode(JSON.parse(JSON.stringify(d.codec!.encode(value)))) as typeof value;
    expect(back.probabilities.en).toEqual(probabilities.en);
    expect(back.probabilities.zh).toEqual(probabilities.zh);
  });
});
