/**
 * The setup file the plugin adds to `test.setupFiles`: registers the region matchers in every test file.
 */
import { expect } from 'vitest';
import { regionMatchers } from './matchers.js';

expect.extend(regionMatchers);
