/** The OSO provider: a Polar policy, its answers precomputed for the known (resource, action) pairs. */
export { createOsoProvider } from './provider.js';
