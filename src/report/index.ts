/**
 * vitest-regions/report: results.json (schema, reading), the reporter that writes it, the HTML report
 * rendered from it, the comparison of two runs, and the region fingerprint and layout the matchers attach
 * so that a report can draw the region and a comparison can tell whether it moved.
 */
export * from './results.js';
export { buildResults, measuredBackend, type BuildInput, type CollectedTest } from './collect.js';
export { gatherProvenance, hashTextFolder, packageVersions, type RunContext } from './provenance.js';
export { RegionsReporter, collectTest, REPORT_FILES, type RegionsReporterOptions } from './reporter.js';
export { judgeRun, type RunScope } from './completeness.js';
export { renderReport, FINDING_TITLES } from './html.js';
export { compareResults, formatComparison, partialRun, refusePartialBaseline, COMPARE_DEFAULTS, type Check, type CompareOptions, type Comparison } from './compare.js';
export { regionFingerprint, fingerprintOverlap, INLINE_LIMIT, SKETCH_SIZE, type FingerprintOptions, type FingerprintOverlap } from '../region-data/fingerprint.js';
export { regionLayout, LAYOUT_BINS } from '../region-data/layout.js';
export { regionReportData, type RegionReportData } from '../region-data/index.js';
