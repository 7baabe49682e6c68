/** The Casbin provider: a model (the built-in RBAC one or a file) evaluated over the app's rules. */
export { MongoAdapter } from './adapter.js';
export { RBAC_MODEL } from './model.js';
export { createCasbinProvider } from './provider.js';
