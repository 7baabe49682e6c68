import { againstWorkers } from './against-workers.js';

againstWorkers('e2e/multi-instance', () => import('../e2e/multi-instance.test.js'));
