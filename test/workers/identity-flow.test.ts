import { againstWorkers } from './against-workers.js';

againstWorkers('e2e/identity-flow', () => import('../e2e/identity-flow.test.js'));
