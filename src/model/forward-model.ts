import type { ModelConfig } from '../checkpoint/config.js';
import type { WindowNll, Windows } from './batch.js';

/**
 * What every engine's model can do without gradients: logits and per-window NLL of token windows. The
 * tfjs {@link LlamaModel} and the ONNX Runtime `OrtModel` both are one; perplexity and the forward-only
 * commands take any.
 */
export interface ForwardModel {
  readonly config: ModelConfig;
  /** Logits of every position: [batch][seq][vocab] as one flat Float32Array (row-major). */
  logits(windows: Windows): Promise<Float32Array>;
  /** Per-window NLL sums (nats) and predicted-token counts. */
  windowNll(windows: Windows): Promise<WindowNll[]>;
}
