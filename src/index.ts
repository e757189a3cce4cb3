/**
 * vitest-regions: the library. It loads no tfjs: the tfjs engine's model and backends are `vitest-regions/tfjs`
 * (and start on their own when a tfjs backend is asked for by name).
 * Data flows one way — checkpoint → model → importance → regions →
 * perturbations / training → measurements. The vitest plugin and matchers are `vitest-regions/vitest`
 * (and `/vitest/plugin`, `/vitest/standalone`); the report is `vitest-regions/report`.
 */
export * from './checkpoint/index.js';
export { loadTokenizer, type TextTokenizer } from './tokenizer/tokenizer.js';
export { byteLevelTokenizerJson, BYTE_LEVEL_BOS, BYTE_LEVEL_EOS, BYTE_LEVEL_VOCAB_SIZE } from './checkpoint/byte-level-tokenizer.js';
export type { BackendInfo, BackendName } from './engine/tfjs/select.js';
export { BackendError } from './engine/errors.js';
export type { Windows, WindowNll } from './model/batch.js';
export type { LossObjective, GradientModel } from './model/gradient-model.js';
export type { ForwardModel } from './model/forward-model.js';
export type { Perturbable } from './model/perturbable.js';
export { OrtModel, OrtEngineError, openOrtSessions, type OrtModelOptions, type OrtProvider, type HostLossAndGrads } from './engine/onnx/ort-model.js';
export { openForward, resolveEngineName, ENGINE_NAMES, type EngineName, type EngineInfo, type OpenedForward } from './engine/select.js';
export { assertFits, estimateMemory, gradientPasses, importanceSlices, parameterCount, weightSlices, type ImportanceMemoryJob, type MemoryEstimate, type MemoryJob, type MemoryPart } from './engine/memory.js';
export * from './corpus/texts.js';
export * from './corpus/windows.js';
export * from './metrics/perplexity.js';
export * from './importance/index.js';
export * from './regions/index.js';
export * from './perturb/index.js';
export * from './dims/index.js';
export * from './detect/index.js';
export { AdamW, type AdamOptions, type AdamState, type FrozenMasks } from './train/adam.js';
export { Trainer, TrainingError, type StepResult, type TrainerOptions } from './train/trainer.js';
export { WindowSampler, cappedShares, type TrainingStream, type SamplerState } from './train/sampler.js';
export { learningRate, type CosineSchedule } from './train/schedule.js';
export * from './train/further.js';
export * from './train/forgetting.js';
