import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  LogoutDocument,
  RelCanDocument,
  RelLoginDocument,
  RelMeDocument,
  RelRefreshDocument,
  RelRegisterDocument,
  RelSessionsDocument,
} from '../../generated/graphql.js';
import { strongPassword, uniqueEmail } from '../../helpers/users.js';
import { call, type Outcome, transportProblem } from './http.js';
import { EDITOR_PERMISSION } from './manifest.js';
import type { HeldSession } from './sessions.js';

export type OpKind = 'login' | 'refresh' | 'me' | 'can' | 'sessions' | 'logout';
export type Mix = Partial<Record<OpKind, number>>;

export interface Account {
  email: string;
  password: string;
  userId: string;
}

/** One request the fleet made, kept small (the body only when something was wrong). */
export interface OpRecord {
  kind: OpKind;
  /** The session used (undefined for a login that failed). */
  sessionId?: string;
  instance: number;
  status: number;
  code: string | undefined;
  ok: boolean;
  sentAt: number;
  ms: number;
  problem?: string;
}

export interface FleetOptions {
  urls: string[];
  /** A client keeps at most this many sessions per user (stay below max_per_user: nothing evicted). */
  sessionsPerUser: number;
  /** 'unavailable': SERVICE_UNAVAILABLE (503) is an acceptable answer (the database is being faulted). */
  tolerate?: 'nothing' | 'unavailable';
}

interface Slot extends HeldSession {
  busy: boolean;
}

const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];

/**
 * Virtual clients over several instances: each account holds sessions (the tokens it was handed)
 * and uses them like an app would. Every answer is checked against what the client knows; a
 * session op never runs twice at once (one app tab per session), so any refusal is the server's.
 */
export class Fleet {
  readonly records: OpRecord[] = [];
  readonly problems: string[] = [];
  /** Sessions ended by a successful logout. */
  readonly ended: string[] = [];
  /** The last access token of each ended session: it must be refused everywhere. */
  readonly endedTokens: string[] = [];
  /** What counts as an acceptable error answer; a test tightens it once the fault is over. */
  tolerate: 'nothing' | 'unavailable';
  readonly #slots = new Map<string, Slot>();
  readonly #loggingIn = new Map<string, number>();
  #next = 0;

  constructor(
    readonly accounts: Account[],
    readonly opts: FleetOptions,
  ) {
    this.tolerate = opts.tolerate ?? 'nothing';
  }

  /** Registers `users` accounts (spread over the instances), each with `sessionsEach` sessions. */
  static async enroll(opts: FleetOptions, users: number, sessionsEach = 1): Promise<Fleet> {
    const fleet = new Fleet([], opts);
    await Promise.all(
      Array.from({ length: users }, async (_, i) => {
        const account = { email: uniqueEmail('fleet'), password: strongPassword(), userId: '' };
        const url = opts.urls[i % opts.urls.length]!;
        const r = await call(url, RelRegisterDocument, { input: { email: account.email, password: account.password } });
        if (!r.data?.register?.refreshToken) throw new Error(`enroll: register failed: ${r.text.slice(0, 300)}`);
        account.userId = r.data.register.user.id;
        fleet.accounts.push(account);
        fleet.#hold(account.userId, r.data.register);
        for (let k = 1; k < sessionsEach; k++) {
          if (!(await fleet.run('login', account))) throw new Error(`enroll: login failed: ${fleet.problems.at(-1)}`);
        }
      }),
    );
    return fleet;
  }

  held(): HeldSession[] {
    return [...this.#slots.values()].map(({ busy: _, ...h }) => h);
  }

  heldOf(userId: string): HeldSession[] {
    return this.held().filter((h) => h.userId === userId);
  }

  userIds(): string[] {
    return this.accounts.map((a) => a.userId);
  }

  /** A kind drawn from the weighted mix. */
  draw(mix: Mix): OpKind {
    const entries = Object.entries(mix) as [OpKind, number][];
    let r = Math.random() * entries.reduce((s, [, w]) => s + w, 0);
    for (const [kind, w] of entries) {
      r -= w;
      if (r < 0) return kind;
    }
    return entries[0]![0];
  }

  /** Runs one op of `kind` (on a free session, or for `account`); false when nothing fit or it failed. */
  async run(kind: OpKind, account?: Account, instance = this.#next++): Promise<boolean> {
    if (kind === 'login') {
      const who = account ?? pick(this.accounts.filter((a) => this.#room(a.userId) > 0));
      return who ? this.#login(who, instance) : false;
    }
    const slot = pick([...this.#slots.values()].filter((s) => !s.busy && (!account || s.userId === account.userId)));
    if (!slot) return false;
    slot.busy = true;
    try {
      return await this.#sessionOp(kind, slot, instance);
    } finally {
      slot.busy = false;
    }
  }

  /** Refreshes every held session once, spread over the instances; false if any refresh failed. */
  async refreshEach(): Promise<boolean> {
    let all = true;
    for (const slot of [...this.#slots.values()]) {
      slot.busy = true;
      try {
        all = (await this.#sessionOp('refresh', slot, this.#next++)) && all;
      } finally {
        slot.busy = false;
      }
    }
    return all;
  }

  /**
   * Open-loop load: one op every 1000/rate ms for `durationMs` (at most `concurrency` in flight;
   * a tick that finds them all busy is counted, not queued). Resolves when every op has ended.
   */
  async drive(opts: { durationMs: number; rate: number; concurrency: number; mix: Mix; stop?: () => boolean }) {
    const inflight = new Set<Promise<unknown>>();
    const interval = 1000 / opts.rate;
    const start = performance.now();
    let ticks = 0;
    let skipped = 0;
    while (performance.now() - start < opts.durationMs && !opts.stop?.()) {
      ticks++;
      if (inflight.size < opts.concurrency) {
        const kind = this.draw(opts.mix);
        const p = this.run(kind).catch((err) => this.problems.push(`${kind} threw: ${(err as Error).stack}`));
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      } else {
        skipped++;
      }
      const due = start + ticks * interval;
      await sleep(Math.max(0, due - performance.now()));
    }
    await Promise.all(inflight);
    return { ticks, skipped, seconds: (performance.now() - start) / 1000 };
  }

  #room(userId: string): number {
    const held = [...this.#slots.values()].filter((s) => s.userId === userId).length;
    return this.opts.sessionsPerUser - held - (this.#loggingIn.get(userId) ?? 0);
  }

  #url(instance: number): string {
    return this.opts.urls[instance % this.opts.urls.length]!;
  }

  #hold(userId: string, p: { accessToken: string | null; refreshToken: string | null; session: { id: string } }): void {
    this.#slots.set(p.session.id, {
      userId,
      sessionId: p.session.id,
      refreshToken: p.refreshToken!,
      accessToken: p.accessToken!,
      busy: false,
    });
  }

  async #login(a: Account, instance: number): Promise<boolean> {
    this.#loggingIn.set(a.userId, (this.#loggingIn.get(a.userId) ?? 0) + 1);
    try {
      const o = await call(this.#url(instance), RelLoginDocument, { input: { email: a.email, password: a.password } });
      const p = o.data?.login;
      const wrong = !p
        ? undefined
        : p.user.id !== a.userId
          ? `login returned user ${p.user.id}, not ${a.userId}`
          : this.#slots.has(p.session.id) || this.ended.includes(p.session.id)
            ? `login returned a session id already in use: ${p.session.id}`
            : !p.refreshToken
              ? 'login returned no refresh token'
              : undefined;
      if (p && !wrong) this.#hold(a.userId, p);
      return this.#record('login', instance, o, wrong, p?.session.id);
    } finally {
      this.#loggingIn.set(a.userId, (this.#loggingIn.get(a.userId) ?? 1) - 1);
    }
  }

  async #sessionOp(kind: Exclude<OpKind, 'login'>, s: Slot, instance: number): Promise<boolean> {
    const url = this.#url(instance);
    const token = s.accessToken;
    switch (kind) {
      case 'refresh': {
        const o = await call(url, RelRefreshDocument, { refreshToken: s.refreshToken });
        const p = o.data?.refresh;
        const wrong = !p
          ? undefined
          : p.session.id !== s.sessionId || p.user.id !== s.userId
            ? `refresh moved to session ${p.session.id} / user ${p.user.id}`
            : !p.refreshToken || p.refreshToken === s.refreshToken
              ? 'refresh did not rotate the token'
              : undefined;
        if (p && !wrong) Object.assign(s, { refreshToken: p.refreshToken, accessToken: p.accessToken });
        return this.#record(kind, instance, o, wrong, s.sessionId);
      }
      case 'me': {
        const o = await call(url, RelMeDocument, {}, { token });
        const id = o.data?.me?.id;
        return this.#record(
          kind,
          instance,
          o,
          o.data && id !== s.userId ? `me answered ${id}` : undefined,
          s.sessionId,
        );
      }
      case 'can': {
        const o = await call(url, RelCanDocument, EDITOR_PERMISSION, { token });
        const can = o.data?.can;
        return this.#record(
          kind,
          instance,
          o,
          o.data && typeof can !== 'boolean' ? `can answered ${can}` : undefined,
          s.sessionId,
        );
      }
      case 'sessions': {
        const o = await call(url, RelSessionsDocument, {}, { token });
        const list = o.data?.sessions;
        const current = list?.find((x) => x.current);
        const wrong =
          list && current?.id !== s.sessionId ? `sessions: current is ${current?.id}, not ${s.sessionId}` : undefined;
        return this.#record(kind, instance, o, wrong, s.sessionId);
      }
      case 'logout': {
        const o = await call(url, LogoutDocument, {}, { token });
        const done = o.data?.logout;
        if (done === true) {
          this.#slots.delete(s.sessionId);
          this.ended.push(s.sessionId);
          this.endedTokens.push(s.accessToken);
        }
        return this.#record(
          kind,
          instance,
          o,
          o.data && done !== true ? `logout answered ${done}` : undefined,
          s.sessionId,
        );
      }
    }
  }

  /** Files the outcome; a problem is anything but the right answer or a tolerated SERVICE_UNAVAILABLE. */
  #record(kind: OpKind, instance: number, o: Outcome<unknown>, wrong: string | undefined, sessionId?: string): boolean {
    const tolerant = this.tolerate === 'unavailable';
    // A refusal carries no data to check: whether it was acceptable is decided below.
    let problem = (o.errors.length === 0 ? wrong : undefined) ?? transportProblem(o, { allowUnavailable: tolerant });
    const ok = !problem && o.errors.length === 0;
    if (!problem && !ok && !(tolerant && o.code === 'SERVICE_UNAVAILABLE')) {
      problem = `${o.code}: ${o.errors[0]?.message}`;
    }
    this.records.push({
      kind,
      ...(sessionId ? { sessionId } : {}),
      instance,
      status: o.status,
      code: o.code,
      ok,
      sentAt: o.sentAt,
      ms: o.ms,
      ...(problem ? { problem } : {}),
    });
    if (problem) {
      this.problems.push(
        `${kind} on instance ${instance % this.opts.urls.length}${sessionId ? ` (session ${sessionId})` : ''}: ${problem}`,
      );
    }
    return ok;
  }
}
