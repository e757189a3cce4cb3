/** Small formatting pieces the findings' README sentences share. */
import type { CaseInput } from './define.js';

/** ×1.36, ×18.7 */
export const times = (r: number) => `×${r < 10 ? r.toFixed(2) : r.toFixed(1)}`;
/** 12%, or n/a */
export const share = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v * 100)}%`);
/** "lo–hi" of the values, each formatted; empty for none. */
export const range = (vs: number[], fmt: (v: number) => string) => (vs.length === 0 ? '' : `${fmt(Math.min(...vs))}–${fmt(Math.max(...vs))}`);
/** holds / does not hold / holds for n of m. */
export const holdsWord = (cs: readonly CaseInput[]) => {
  const n = cs.filter((c) => c.result.holds).length;
  return n === cs.length ? 'holds' : n === 0 ? 'does not hold' : `holds for ${n} of ${cs.length}`;
};
