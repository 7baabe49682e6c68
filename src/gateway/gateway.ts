import type { GraphQLSchema } from 'graphql';
import type { Services } from '../graphql/index.js';
import { createHeadersFor } from './forward.js';
import { type LoadOptions, loadDownstreamSdl } from './load.js';
import type { StitchOptions } from './stitch.js';

export interface GatewayOptions extends StitchOptions {
  load?: Omit<LoadOptions, 'headers'>;
}

export interface Gateway {
  /** The schema to serve now (a Yoga schema factory: `schema: () => gateway.schema()`). */
  schema(): GraphQLSchema;
  /**
   * Re-fetches every downstream SDL and swaps the schema in one assignment: requests already
   * running finish on the schema they started with. On failure the current schema stays and the
   * error is thrown (for the SIGHUP handler to log). Concurrent calls share one reload.
   */
  reload(): Promise<void>;
}

type GatewayServices = Pick<Services, 'manifest' | 'secret' | 'clock' | 'logger'>;

/**
 * Gateway mode: Gatehouse's own schema merged with the manifest's `downstream` services. Loads
 * every SDL at start-up (with retries; failing start-up with a message naming the service).
 * Without downstream services it serves the own schema as is.
 */
export async function createGateway(
  services: GatewayServices,
  own: GraphQLSchema,
  opts: GatewayOptions = {},
): Promise<Gateway> {
  const { manifest, secret, clock, logger } = services;
  const headersFor = createHeadersFor(secret, clock);
  const loadAll = async () => {
    const loaded = await Promise.all(
      manifest.downstream.map((d) =>
        loadDownstreamSdl(d, { ...opts.load, headers: (call) => headersFor(d.name, undefined, call) }),
      ),
    );
    // Loaded only with downstream services: stitching and its HTTP executor cost ~19 MB otherwise unused.
    const { buildGatewaySchema } = await import('./stitch.js');
    return buildGatewaySchema(own, loaded, headersFor, opts);
  };

  let current = manifest.downstream.length ? await loadAll() : own;
  let reloading: Promise<void> | undefined;

  return {
    schema: () => current,
    reload() {
      if (!manifest.downstream.length) return Promise.resolve();
      reloading ??= loadAll()
        .then((next) => {
          current = next;
          logger.info({ downstream: manifest.downstream.map((d) => d.name) }, 'downstream schemas reloaded');
        })
        .finally(() => {
          reloading = undefined;
        });
      return reloading;
    },
  };
}
