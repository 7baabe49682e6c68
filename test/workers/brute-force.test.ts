import { againstWorkers } from './against-workers.js';

againstWorkers('e2e/brute-force', () => import('../e2e/brute-force.test.js'));
