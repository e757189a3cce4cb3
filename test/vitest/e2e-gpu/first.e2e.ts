import { loggingSpec } from './log-subject.js';

loggingSpec('first');
