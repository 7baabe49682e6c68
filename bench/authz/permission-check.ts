/**
 * Cost of a permission check as the directive enforcement sees it (synchronous `can()`), against
 * the policy size, with 10,000 users holding two roles each; and the cost of making a new policy
 * revision live (fresh enforcer + memo rebuild). Casbin's own `enforceSync` is timed alongside,
 * because it is what the memo saves: it scans every rule.
 *
 *   node dist/bench/authz/permission-check.js      (MONGODB_URI, else a database of its own)
 */
import { newEnforcer, newModelFromString } from 'casbin';
import { casbinEvaluator } from '../../src/authz/casbin/provider.js';
import {
  type Authorization,
  createAuthorization,
  PermissionHints,
  PolicyStore,
  RBAC_MODEL,
} from '../../src/authz/index.js';
import { PolicyView } from '../../src/authz/memo.js';
import { PolicyRevision } from '../../src/authz/revision.js';
import type { AppConfig } from '../../src/config/index.js';
import type { CoreDeps } from '../../src/core/index.js';
import { benchDeps } from '../helpers/deps.js';

const USERS = 10_000;
const ROLES = 50;
const CASBIN_SIZES = [10, 1_000, 10_000];
const OSO_SIZES = [10, 100];
const CHECKS = 1_000_000;
/** Allowed, allowed through a `res<k>/*` pattern, allowed through `*`, denied. */
const PAIRS = [
  { resource: 'res1', action: 'read' },
  { resource: 'res0/x', action: 'read' },
  { resource: 'res3', action: 'delete' },
  { resource: 'nowhere', action: 'read' },
];

const userId = (i: number) => `bench-user-${i}`;
/** Wall time since t0, for what waits on the database. */
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
/**
 * CPU time of this process since `from`, for pure in-memory work: on a shared machine the wall
 * clock also counts the time other processes held the CPU.
 */
const cpuMs = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1000;
};

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
  const authz: Authorization = createAuthorization(deps, app, { pollMs: 3_600_000, hints: new PermissionHints() });
  let t0 = process.hrtime.bigint();
  await authz.start();
  const startMs = ms(t0);

  let allowed = 0;
  // First touch of every user: one lazy memo build each, then the four checks.
  let cpu = process.cpuUsage();
  for (let u = 0; u < USERS; u++)
    for (const p of PAIRS) if (authz.can(app.slug, userId(u), p.resource, p.action)) allowed++;
  const lazyUs = (cpuMs(cpu) * 1000) / USERS;

  const ids = Array.from({ length: USERS }, (_, u) => userId(u));
  cpu = process.cpuUsage();
  for (let i = 0; i < CHECKS; i++) {
    const p = PAIRS[i & 3]!;
    if (authz.can(app.slug, ids[i % USERS]!, p.resource, p.action)) allowed++;
  }
  const checkNs = (cpuMs(cpu) * 1e6) / CHECKS;

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
  /** The in-memory half of a reload: the memos of the 10,000 recently-seen users rebuilt. */
  memoMs: number;
}

/** Casbin over the same rules, built in memory (the database is timed by the provider's reload). */
async function casbinParts(rules: { p: string[][]; g: string[][] }, app: string): Promise<CasbinParts> {
  const enforcer = await newEnforcer(newModelFromString(RBAC_MODEL));
  enforcer.getModel().model.get('p')!.get('p')!.policy = rules.p;
  enforcer.getModel().model.get('g')!.get('g')!.policy = rules.g;
  await enforcer.buildRoleLinks();
  const evaluator = casbinEvaluator(enforcer, app, true);
  const seen = await PolicyView.build(0, evaluator, undefined);
  for (let u = 0; u < USERS; u++) for (const p of PAIRS) seen.can(userId(u), p.resource, p.action);
  let cpu = process.cpuUsage();
  await PolicyView.build(1, evaluator, seen);
  const memoMs = cpuMs(cpu);
  const n = 200;
  cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const p = PAIRS[i & 3]!;
    enforcer.enforceSync(`user:${userId(i)}`, app, p.resource, p.action);
  }
  return { enforceUs: (cpuMs(cpu) * 1000) / n, memoMs };
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
  const policies: string[][] = [];
  for (const size of sizes) {
    const added = Array.from({ length: size - policies.length }, (_, i) => policyRule(app.slug, policies.length + i));
    await seed(store, 'p', added);
    for (const rule of added) policies.push(rule);
    await revision.bump();
    const row = await measure(deps, app, size);
    const parts = app.policy.provider === 'casbin' ? await casbinParts({ p: policies, g: grants }, app.slug) : {};
    rows.push({ ...row, ...parts });
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
    '≈ DB+enforcer ms',
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
    r.memoMs === undefined ? '—' : fmt(r.reloadMs - r.memoMs, 0),
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
      'cached can(): warm memo, 1M checks over all users and 4 pairs (allowed, by pattern, by "*", denied).',
      'enforceSync: Casbin enforcing by itself (scans the rules: what the memo saves).',
      'first check: lazy memo build + 4 checks, for a user not seen under the loaded revision.',
      'Those three and the memo rebuild are CPU time of this process; start and reload are wall time.',
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
