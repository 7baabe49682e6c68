import { fuzzSuite } from './support/fuzz-suite.js';

fuzzSuite('quick', { mutations: 120, tokens: 200, bodies: 100 });
