/** The root fields of the Gatehouse schema: importing this registers them all with the builder. */
import './audit.js';
import './account.js';
import './authz.js';
import './identity.js';
import './me.js';
import './server.js';
