export { type BlockSources, fillGeneratedBlocks } from './blocks.js';
export { contractSources } from './contract.js';
