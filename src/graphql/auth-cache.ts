import type { Plugin } from 'graphql-yoga';
import { useEnforcement } from '../enforcement/index.js';
import { inSpanSync } from '../observability/index.js';
import { gatehouseEnforcement } from './auth-plugin.js';
import type { GatehouseContext } from './context.js';

/**
 * What `gatehouse serve` runs: the server's check through the enforcement core, which decides an
 * operation from its per-document plan and walks the document only to report refusals (answers
 * exactly as useGatehouseAuth, generic-auth's own pass, does). One span for the whole decision.
 */
export function useCachedGatehouseAuth(): Plugin<GatehouseContext> {
  return useEnforcement({
    ...gatehouseEnforcement,
    observe: (decide) =>
      inSpanSync('auth.permission', (span) => {
        const ok = decide();
        if (span.isRecording()) span.setAttribute('gatehouse.auth.allowed', ok);
        return ok;
      }),
  }) as Plugin<GatehouseContext>;
}
