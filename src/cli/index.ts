/** The `gatehouse` command line (bin.ts is the executable entry; this is what other code imports). */
export { buildProgram, main } from './main.js';
export { withServices } from './services.js';
