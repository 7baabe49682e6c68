/**
 * Cost of a permission check as the directive enforcement sees it (synchronous `can()`), against
 * the policy size, with 10,000 users holding two roles each; and the cost of making a new policy
 * revision live (fresh enforcer + memo rebuild). Casbin's own `enforceSync` is timed alongside,
 * because it is what the memo saves: it scans every rule.
 *
 *   node dist/bench/authz/permission-check.js      (MONGODB_URI, else a database of its own)
 */
import { readModel } from '../../src/authz/casbin/model.js';
import { casbinEvaluator, loadEnforcer } from '../../src/authz/casbin/provider.js';
import { type Authorization, createAuthorization, PolicyStore } from '../../src/authz/index.js';
import { PolicyView } from '../../src/authz/memo.js';
import { PolicyRevision } from '../../src/authz/revision.js';
import type { AppConfig } from '../../src/config/index.js';
import type { CoreDeps } from '../../src/services.js';
import { benchDeps } from '../helpers/deps.js';

const USERS = 10_000;
const ROLES = 50;
const CASBIN_SIZES = [10, 1_000, 10_000];
const OSO_SIZES = [10, 100];
const CHECKS = 2_000_000;
/** Allowed, allowed through a `res<k>/*` pattern, allowed through `*`, denied. */
const PAIRS = [
  { resource: 'res1', action: 'read' },
  { resource: 'res0/x', action: 'read' },
  { resource: 'res3', action: 'delete' },
  { resource: 'nowhere', action: 'read' },
];

const userId = (i: number) => `bench-user-${i}`;
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Policy rule i: every 10th a `res<i>/*` pattern, every 3rd for any action. */
const policyRule = (app: string, i: number) => [
  `role${i % ROLES}`,
  app,
  i % 10 === 0 ? `res${i}/*` : `res${i}`,
  i % 3 === 0 ? '*' : 'read',
];

async function seed(store: PolicyStore, ptype: string, rules: string[][]): Promise<void> {
  for (let i = 0; i < rules.length; i += 5000) await store.add(ptype, rules.slice(i, i + 5000));
}

interface Row extends Partial<CasbinParts> {
  provider: string;
  policies: number;
  checkNs: number;
  lazyUs: number;
  startMs: number;
  reloadMs: number;
}

/** Times one provider instance at the current policy size; its memos are warmed by the first pass. */
async function measure(deps: CoreDeps, app: AppConfig, policies: number): Promise<Row> {
  const authz: Authorization = createAuthorization(deps, app, { pollMs: 3_600_000 });
  let t0 = process.hrtime.bigint();
  await authz.start();
  const startMs = ms(t0);

  let allowed = 0;
  // First touch of every user: one lazy memo build each, then the four checks.
  t0 = process.hrtime.bigint();
  for (let u = 0; u < USERS; u++)
    for (const p of PAIRS) if (authz.can(app.slug, userId(u), p.resource, p.action)) allowed++;
  const lazyUs = (ms(t0) * 1000) / USERS;

  const ids = Array.from({ length: USERS }, (_, u) => userId(u));
  t0 = process.hrtime.bigint();
  for (let i = 0; i < CHECKS; i++) {
    const p = PAIRS[i & 3]!;
    if (authz.can(app.slug, ids[i % USERS]!, p.resource, p.action)) allowed++;
  }
  const checkNs = (ms(t0) * 1e6) / CHECKS;

  t0 = process.hrtime.bigint();
  await authz.reload();
  const reloadMs = ms(t0);
  authz.stop();
  if (allowed === 0) throw new Error('the benchmark policy allows nothing: the numbers would mean nothing');
  return { provider: authz.name, policies, checkNs, lazyUs, startMs, reloadMs };
}

interface CasbinParts {
  /** Casbin's own enforceSync per check (it scans the rules: what the memo saves). */
  enforceUs: number;
  /** The two halves of a reload: a fresh enforcer from the database, then the memos of 10,000 users. */
  loadMs: number;
  memoMs: number;
}

async function casbinParts(store: PolicyStore, app: string): Promise<CasbinParts> {
  let t0 = process.hrtime.bigint();
  const enforcer = await loadEnforcer(await readModel('rbac'), store, app);
  const loadMs = ms(t0);
  const evaluator = casbinEvaluator(enforcer, app, true);
  const seen = await PolicyView.build(0, evaluator, undefined);
  for (let u = 0; u < USERS; u++) for (const p of PAIRS) seen.can(userId(u), p.resource, p.action);
  t0 = process.hrtime.bigint();
  await PolicyView.build(1, evaluator, seen);
  const memoMs = ms(t0);
  const n = 200;
  t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const p = PAIRS[i & 3]!;
    enforcer.enforceSync(`user:${userId(i)}`, app, p.resource, p.action);
  }
  return { enforceUs: (ms(t0) * 1000) / n, loadMs, memoMs };
}

/** Users hold `rolesPerUser` of `roles` roles (OSO's cost grows with the distinct role sets). */
async function run(
  deps: CoreDeps,
  app: AppConfig,
  sizes: number[],
  roles: number,
  rolesPerUser: number,
): Promise<Row[]> {
  const store = PolicyStore.open(deps.database.db, app.policy.policiesCollection);
  const revision = new PolicyRevision(deps.database.db, app.slug);
  const grants: string[][] = [];
  for (let u = 0; u < USERS; u++)
    for (let k = 0; k < rolesPerUser; k++) grants.push([`user:${userId(u)}`, `role${(u + k * 7) % roles}`, app.slug]);
  await seed(store, 'g', grants);
  const rows: Row[] = [];
  let seeded = 0;
  for (const size of sizes) {
    await seed(
      store,
      'p',
      Array.from({ length: size - seeded }, (_, i) => policyRule(app.slug, seeded + i)),
    );
    seeded = size;
    await revision.bump();
    const row = await measure(deps, app, size);
    rows.push({ ...row, ...(app.policy.provider === 'casbin' ? await casbinParts(store, app.slug) : {}) });
    process.stderr.write(`  ${row.provider} at ${size} policies done\n`);
  }
  return rows;
}

function print(rows: Row[], kind: string): void {
  const base = new Map<string, number>();
  for (const r of rows) if (!base.has(r.provider)) base.set(r.provider, r.checkNs);
  const fmt = (n: number, d = 1) => n.toFixed(d);
  const header = [
    'provider',
    'policies',
    'cached can() ns',
    'vs smallest',
    'enforceSync µs',
    'memo speed-up',
    'first check µs/user',
    'start ms',
    'reload ms',
    '= DB+enforcer ms',
    '+ memo rebuild ms',
  ];
  const lines = rows.map((r) => [
    r.provider,
    r.policies.toLocaleString('en'),
    fmt(r.checkNs),
    `${fmt(r.checkNs / base.get(r.provider)!, 2)}×`,
    r.enforceUs === undefined ? '—' : fmt(r.enforceUs),
    r.enforceUs === undefined ? '—' : `${Math.round((r.enforceUs * 1000) / r.checkNs).toLocaleString('en')}×`,
    fmt(r.lazyUs, 2),
    fmt(r.startMs, 0),
    fmt(r.reloadMs, 0),
    r.loadMs === undefined ? '—' : fmt(r.loadMs, 0),
    r.memoMs === undefined ? '—' : fmt(r.memoMs, 0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  console.log(`\nPermission checks: ${USERS.toLocaleString('en')} users, database ${kind}, node ${process.version}`);
  console.log(row(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(row(l));
  console.log(
    [
      '',
      'cached can(): warm memo, 2M checks over all users and 4 pairs (allowed, by pattern, by "*", denied).',
      'enforceSync: Casbin enforcing by itself (scans the rules: what the memo saves).',
      'first check: lazy memo build + 4 checks, for a user not seen under the loaded revision.',
      `reload: what a new revision costs off the request path = a fresh enforcer from the database (all rows:`,
      `${USERS.toLocaleString('en')} users hold ${(2 * USERS).toLocaleString('en')} grants) + the memos of the recently-seen users rebuilt.`,
      'OSO: answers precomputed at each reload for every distinct role set (11 here) × known pair.',
    ].join('\n'),
  );
}

const t0 = process.hrtime.bigint();
const bench = await benchDeps({
  apps: [
    { slug: 'bench', auth: { policy: { provider: 'casbin' } } },
    // Its own collection: FerretDB scans the whole collection for one app's rows.
    {
      slug: 'bench_oso',
      auth: { policy: { provider: 'oso', authorization: { policies_collection: 'oso_policies' } } },
    },
  ],
});
try {
  const [casbinApp, osoApp] = bench.deps.manifest.apps as [AppConfig, AppConfig];
  const rows = [
    ...(await run(bench.deps, casbinApp, CASBIN_SIZES, ROLES, 2)),
    ...(await run(bench.deps, osoApp, OSO_SIZES, 10, 1)),
  ];
  print(rows, bench.kind);
  console.log(`\ntotal ${fmtSeconds(ms(t0))}`);
} finally {
  await bench.stop();
}

function fmtSeconds(msTotal: number): string {
  return `${(msTotal / 1000).toFixed(1)} s`;
}
