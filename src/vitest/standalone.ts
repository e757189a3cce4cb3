/**
 * vitest-regions/vitest/standalone: what works without the vitest runner — for scripts, notebooks, a
 * CLI or a reporter: open a checkpoint as a {@link RegionsSubject} and run the same measurements the
 * matchers run, getting the same JSON ({@link FindingResult}) and tables.
 *
 *     const subject = await openSubject({ checkpoint: 'fixtures/models/polyglot-v2' });
 *     const result = await measureZeroing(subject, await subject.coreRegion(0.01), { … });
 *     for (const t of result.tables) console.log(renderTable(t));
 *     await subject.close();
 *
 * (vitest-regions/vitest itself imports vitest's runner, which only loads inside `vitest run`.)
 */
export * from '../findings/measure/index.js';
export { openSubject, THRESHOLDS_FILE, type RegionRequest, type RegionsSubject } from '../findings/subject.js';
export { PAPER_FRACTION, type CheckpointSubject, type RegionDefaults } from '../subject/subject.js';
export * from '../subject/options.js';
export * from '../findings/thresholds.js';
