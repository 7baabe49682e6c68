import SchemaBuilder, {
  BasePlugin,
  type PothosOutputFieldConfig,
  type PothosTypeConfig,
  type SchemaTypes,
} from '@pothos/core';

/**
 * Gatehouse's directive spec, as subgraphs `@link` it. An identifier only (never fetched): every
 * subgraph that imports @auth / @permission must name the same URL and major version to compose.
 */
export const GATEHOUSE_SPEC_URL = 'https://gatehouse.dev/authz/v1.0';
export const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.6';

type DirectiveOption = Record<string, unknown> | { name: string; args?: unknown }[] | undefined;

interface FederationAuthOptions {
  authenticated?: boolean;
  requiresScopes?: string[][];
  policy?: string[][];
}

function argsOf(directives: DirectiveOption, name: string): Record<string, unknown>[] {
  if (!directives) return [];
  if (Array.isArray(directives)) {
    return directives.filter((d) => d.name === name).map((d) => (d.args ?? {}) as Record<string, unknown>);
  }
  const v = directives[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]) as Record<string, unknown>[];
}

/**
 * The Federation-standard directives that say what Gatehouse's own ones say, so a router that
 * knows only the standard (Apollo Router, Hive Gateway) enforces the same rule:
 * `@auth` → `@authenticated`, `@auth(roles: [a, b])` → `@requiresScopes(scopes: [[a], [b]])`
 * (scopes are roles, one of them), `@permission(resource: r, action: a)` → `@policy(policies: [["r:a"]])`
 * (several permissions are all required: one alternative holding them all).
 */
export function federationEquivalents(directives: DirectiveOption): FederationAuthOptions {
  const auth = argsOf(directives, 'auth');
  const permissions = argsOf(directives, 'permission');
  const out: FederationAuthOptions = {};
  if (auth.length || permissions.length) out.authenticated = true;
  const roles = auth.flatMap((a) => (Array.isArray(a.roles) ? (a.roles as string[]) : []));
  if (roles.length) out.requiresScopes = roles.map((r) => [r]);
  if (permissions.length) out.policy = [permissions.map((p) => `${String(p.resource)}:${String(p.action)}`)];
  return out;
}

function withEquivalents<T extends { pothosOptions: object }>(config: T): T {
  const options = config.pothosOptions as FederationAuthOptions & { directives?: DirectiveOption };
  const eq = federationEquivalents(options.directives);
  if (!eq.authenticated) return config;
  // Explicit federation options on a field win over the derived ones.
  return { ...config, pothosOptions: { ...eq, ...options } };
}

/**
 * Mirrors @auth / @permission into the federation plugin's `authenticated` / `requiresScopes` /
 * `policy` options. List it after FederationPlugin: Pothos runs config hooks last-plugin-first,
 * so the federation plugin then emits (and `@link`-imports) the standard directives.
 */
export class GatehouseFederationAuthPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onTypeConfig(typeConfig: PothosTypeConfig): PothosTypeConfig {
    return withEquivalents(typeConfig);
  }

  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    return withEquivalents(fieldConfig);
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      gatehouseFederationAuth: GatehouseFederationAuthPlugin<Types>;
    }
  }
}

const pluginName = 'gatehouseFederationAuth';
SchemaBuilder.registerPlugin(pluginName, GatehouseFederationAuthPlugin);
export default pluginName;
