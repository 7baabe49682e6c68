/** The local database Gatehouse starts when none is given: FerretDB, on PostgreSQL or SQLite. */
export { type BackendChoice, chooseBackend, type EmbeddedBackend } from './embedded-backend.js';
export { ensureFerretDB, FERRETDB_VERSION, FerretDBProcess } from './ferretdb.js';
export { ensureGinTwins, LIST_TWINS_SQL } from './gin-twins.js';
export { type DatabaseKind, type LaunchOptions, type LocalDatabase, launchDatabase } from './launcher.js';
export { freePort } from './net.js';
export { PostgresCluster } from './postgres.js';
export { findPostgres, type PostgresBinaries } from './postgres-bin.js';
