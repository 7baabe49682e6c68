export { CLIENT_OPTIONS, connectDatabase, type Database } from './client.js';
export { expireDocuments, type SweepOptions } from './indexes.js';
