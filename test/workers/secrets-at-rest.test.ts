import { againstWorkers } from './against-workers.js';

againstWorkers('e2e/secrets-at-rest', () => import('../e2e/secrets-at-rest.test.js'));
