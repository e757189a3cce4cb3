import { describe, expect, it } from 'vitest';
import { describeImportFailure, importOptional } from '../../../src/util/optional-import.js';

describe('describeImportFailure', () => {
  it('says "not installed" when Node cannot find the package itself', async () => {
    const error = await importOptional('@tensorflow/tfjs-node-not-a-package').catch((e: unknown) => e);
    expect(describeImportFailure('@tensorflow/tfjs-node-not-a-package', error, 'hint')).toBe(
      '@tensorflow/tfjs-node-not-a-package: not installed; hint',
    );
  });

  it("passes the loader's first line through when something else is missing", () => {
    const error = new Error("Cannot find package '@mapbox/node-pre-gyp' imported from x.js\nstack");
    expect(describeImportFailure('@tensorflow/tfjs-node', error, 'hint')).toBe(
      "@tensorflow/tfjs-node: failed to load: Cannot find package '@mapbox/node-pre-gyp' imported from x.js",
    );
  });

  it('passes native load failures through', () => {
    const error = new Error('libcudart.so.11.0: cannot open shared object file');
    expect(describeImportFailure('@tensorflow/tfjs-node-gpu', error, 'hint')).toMatch(/failed to load: libcudart/);
  });
});
