import { longOnly } from './support/flags.js';
import { fuzzSuite } from './support/fuzz-suite.js';

fuzzSuite('long', { mutations: 600, tokens: 2000, bodies: 600 }, longOnly());
