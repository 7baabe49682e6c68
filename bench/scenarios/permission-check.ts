import { performance } from 'node:perf_hooks';
import type { BenchContext } from '../context.js';
import { interleaved } from '../lib/rounds.js';
import { ratios } from '../lib/stats.js';
import { atMost, type Row, row } from '../report/rows.js';
import { POLICY_APPS, USERS } from '../world/manifest.js';
import { benchUserId, FIELD_RESOURCES } from '../world/seed.js';

const SCENARIO = '1. Auth tax, warm';
const CHECKS = 400_000;

/**
 * The permission check as @permission enforcement makes it (the provider's synchronous `can()`),
 * per field, with the 10,000 users' memos warm, at 10, 1,000 and 10,000 policies. The full
 * micro-benchmark (cold memos, Casbin's own enforce, reload cost) is bench/authz/permission-check.ts.
 */
export async function permissionCheck(ctx: BenchContext): Promise<Row[]> {
  const { services } = await ctx.big();
  // Users in a scattered order (as requests come), the same for every app: memory locality must not
  // favour the app whose memos happen to have been built in the order the loop walks them.
  const ids = Array.from({ length: USERS }, (_, u) => benchUserId((u * 7919) % USERS));
  const pairs = FIELD_RESOURCES.map((resource) => ({ resource, action: 'read' }));
  for (const { slug } of POLICY_APPS) {
    const authz = services.authz(slug);
    for (const id of ids)
      for (const p of pairs)
        if (!authz.can(slug, id, p.resource, p.action)) throw new Error(`${id} may not read ${p.resource} in ${slug}`);
  }
  const runs = await interleaved(
    POLICY_APPS.map((p) => p.slug),
    ctx.config.rounds,
    async (slug) => {
      const authz = services.authz(slug);
      let allowed = 0;
      const t0 = performance.now();
      for (let i = 0; i < CHECKS; i++) {
        const p = pairs[i % pairs.length]!;
        if (authz.can(slug, ids[i % USERS]!, p.resource, p.action)) allowed++;
      }
      const ns = ((performance.now() - t0) * 1e6) / CHECKS;
      if (allowed !== CHECKS) throw new Error('a permission check denied a granted field');
      return ns;
    },
  );
  const [small, , large] = POLICY_APPS;
  return [
    ...POLICY_APPS.map((p) =>
      row(
        SCENARIO,
        `permission check per field, ${p.policies.toLocaleString('en')} policies`,
        runs[p.slug]!,
        'ns',
        atMost(1000),
      ),
    ),
    row(
      SCENARIO,
      'permission check, 10,000 ÷ 10 policies',
      ratios(runs[large.slug]!, runs[small.slug]!),
      '×',
      atMost(2),
      'flat = within 2×',
    ),
  ];
}
