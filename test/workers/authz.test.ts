import { againstWorkers } from './against-workers.js';

againstWorkers('e2e/authz', () => import('../e2e/authz.test.js'));
