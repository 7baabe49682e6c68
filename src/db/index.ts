export { CLIENT_OPTIONS, connectDatabase, type Database } from './client.js';
export { ensureFerretDB, FERRETDB_VERSION, FerretDBProcess } from './ferretdb.js';
export { ensureTtlIndex, startSweeper } from './indexes.js';
export { type DatabaseKind, type LaunchOptions, type LocalDatabase, launchDatabase } from './launcher.js';
export { freePort } from './net.js';
export { localBinDir, projectRoot } from './paths.js';
