import { loggingSpec } from './log-subject.js';

loggingSpec('second');
