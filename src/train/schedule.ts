/** Learning-rate schedule: linear warmup, then cosine decay to `minRatio` × peak at `totalSteps`. */
export interface CosineSchedule {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  minRatio: number;
}

/** The learning rate at step (1-based). */
export function learningRate(s: CosineSchedule, step: number): number {
  if (step <= s.warmupSteps) return (s.peak * step) / Math.max(1, s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / Math.max(1, s.totalSteps - s.warmupSteps));
  const cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
  return s.peak * (s.minRatio + (1 - s.minRatio) * cosine);
}
