import { againstWorkers } from './against-workers.js';

againstWorkers('e2e/refresh-race', () => import('../e2e/refresh-race.test.js'));
