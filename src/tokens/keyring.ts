// Hand-written: jose's createRemoteJWKSet fetches over HTTP; this keyring reads keys from our own database and keeps private halves, which no JWKS library does.

import type { KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { SigningAlgorithm } from '../config/index.js';
import { createPoller, type Poller } from '../core/index.js';
import type { Logger } from '../observability/index.js';
import type { SigningKeyDoc, SigningKeyStore } from './key-store.js';
import { importSignKey, importVerifyKey, publicHalf, publishedJwk, thumbprint, verifyKeyObject } from './keys.js';

/** A usable key, imported into WebCrypto once and reused across refreshes. */
export interface KeyEntry {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly state: 'active' | 'retiring';
  readonly createdAtMs: number;
  /** Infinity while active. */
  readonly retireAtMs: number;
  readonly verifyKey: CryptoKey;
  /** The same key for node:crypto's synchronous verify (local-verify.ts). */
  readonly verifyKeyObject: KeyObject;
  /** Only for keys active when imported: the only ones this instance signs with. */
  readonly signKey: CryptoKey | null;
  /** The JWKS entry; null for HS256 secrets, which are never published. */
  readonly published: Readonly<Record<string, unknown>> | null;
}

export interface KeyringOptions {
  /** How often the key set is re-read, so rotations made elsewhere reach this instance. */
  refreshMs: number;
  /** Least time between two reloads triggered by a token with an unknown kid (a flood costs one query). */
  unknownKidReloadMs: number;
}

interface Snapshot {
  keys: ReadonlyMap<string, KeyEntry>;
  signers: ReadonlyMap<SigningAlgorithm, KeyEntry>;
  jwks: { keys: Record<string, unknown>[] };
}

const EMPTY: Snapshot = { keys: new Map(), signers: new Map(), jwks: Object.freeze({ keys: [] }) };

/**
 * The in-memory key set: what tokens are signed and verified with. Reads never touch the
 * database; a refresh swaps in a whole new snapshot, so readers never see a half-built one.
 */
export class Keyring {
  readonly #store: SigningKeyStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #algorithms: readonly SigningAlgorithm[];
  readonly #options: KeyringOptions;
  readonly #onKeysRemoved: () => void;
  #snap: Snapshot = EMPTY;
  /** One load at a time; the timer's loads also purge keys past retirement. */
  readonly #poller: Poller;
  #lastLoadMs = Number.NEGATIVE_INFINITY;

  constructor(opts: {
    store: SigningKeyStore;
    clock: Clock;
    logger: Logger;
    /** The algorithms the apps sign with: each gets an active key, made when missing. */
    algorithms: readonly SigningAlgorithm[];
    options: KeyringOptions;
    /** Called when keys leave the set, so whatever was verified with them can be forgotten. */
    onKeysRemoved: () => void;
  }) {
    this.#store = opts.store;
    this.#clock = opts.clock;
    this.#logger = opts.logger;
    this.#algorithms = opts.algorithms;
    this.#options = opts.options;
    this.#onKeysRemoved = opts.onKeysRemoved;
    this.#poller = createPoller({
      intervalMs: opts.options.refreshMs,
      run: (trigger) => this.#load(trigger === 'timer'),
      onError: (err, _first, trigger) => {
        if (trigger === 'timer')
          this.#logger.warn({ err: errorMessage(err) }, 'signing keys refresh failed; keeping the keys already loaded');
      },
    });
  }

  /** Loads the keys (making missing ones) and starts the refresh timer. Throws when an algorithm has no usable key. */
  async start(): Promise<void> {
    await this.refresh();
    const missing = this.#algorithms.filter((alg) => !this.#snap.signers.has(alg));
    if (missing.length > 0) {
      throw new Error(
        `no usable signing key for ${missing.join(', ')}: was it sealed with a different GATEHOUSE_SECRET?`,
      );
    }
    this.#poller.start();
  }

  stop(): void {
    this.#poller.stop();
  }

  /** Re-reads the key set; concurrent callers share one load. */
  refresh(): Promise<void> {
    return this.#poller.now();
  }

  /** A refresh that starts after the caller's own writes (one already in flight may have read too early). */
  refreshAfterWrite(): Promise<void> {
    return this.#poller.next();
  }

  /** The key `kid` if it verifies `alg` tokens now. */
  find(kid: string, alg: SigningAlgorithm): KeyEntry | undefined {
    const entry = this.#snap.keys.get(kid);
    return entry !== undefined && entry.alg === alg && entry.retireAtMs > this.#clock.ms() ? entry : undefined;
  }

  /**
   * Like `find`, but an unknown kid may be a key just made by another instance: reload once,
   * throttled. The kid itself never reaches the database: the whole set is re-read.
   */
  async findOrReload(kid: string, alg: SigningAlgorithm): Promise<KeyEntry | undefined> {
    const found = this.find(kid, alg);
    if (found !== undefined || this.#snap.keys.has(kid)) return found;
    const sinceLoad = this.#clock.ms() - this.#lastLoadMs;
    if (!this.#poller.busy && sinceLoad < this.#options.unknownKidReloadMs) return undefined;
    try {
      await this.refresh();
    } catch (err) {
      this.#logger.warn({ err: errorMessage(err) }, 'signing keys reload failed');
    }
    return this.find(kid, alg);
  }

  /** The key new `alg` tokens are signed with. */
  signer(alg: SigningAlgorithm): KeyEntry | undefined {
    return this.#snap.signers.get(alg);
  }

  jwks(): { keys: Record<string, unknown>[] } {
    return this.#snap.jwks;
  }

  async #load(purge: boolean): Promise<void> {
    this.#lastLoadMs = this.#clock.ms();
    let docs = await this.#store.all();
    const missing = this.#algorithms.filter((alg) => !docs.some((d) => d.state === 'active' && d.alg === alg));
    if (missing.length > 0) {
      // Instances starting together all try; the unique slot lets one key per algorithm win.
      for (const alg of missing) await this.#store.create(alg, this.#clock.now());
      docs = await this.#store.all();
    }
    const previous = this.#snap;
    this.#snap = await this.#build(docs, previous);
    for (const kid of previous.keys.keys()) {
      if (!this.#snap.keys.has(kid)) {
        this.#onKeysRemoved();
        break;
      }
    }
    if (purge) await this.#store.purge(this.#clock.now());
  }

  async #build(docs: SigningKeyDoc[], previous: Snapshot): Promise<Snapshot> {
    const now = this.#clock.ms();
    const keys = new Map<string, KeyEntry>();
    for (const doc of docs) {
      const retireAtMs = doc.retireAt ? doc.retireAt.getTime() : Number.POSITIVE_INFINITY;
      if (retireAtMs <= now) continue;
      const signs = doc.state === 'active' && this.#algorithms.includes(doc.alg);
      const old = previous.keys.get(doc._id);
      try {
        const entry =
          old !== undefined && old.alg === doc.alg && (old.signKey !== null || !signs)
            ? old.state === doc.state && old.retireAtMs === retireAtMs
              ? old
              : { ...old, state: doc.state, retireAtMs }
            : await this.#import(doc, retireAtMs, signs);
        keys.set(doc._id, entry);
      } catch (err) {
        this.#logger.error({ kid: doc._id, alg: doc.alg, err: errorMessage(err) }, 'signing key unusable; skipped');
      }
    }
    const signers = new Map<SigningAlgorithm, KeyEntry>();
    for (const alg of this.#algorithms) {
      let best: KeyEntry | undefined;
      for (const e of keys.values()) {
        if (e.alg === alg && e.state === 'active' && e.signKey !== null && (best === undefined || newer(e, best))) {
          best = e;
        }
      }
      // Mid-rotation (old key demoted, new one not inserted yet) keep the previous signer while it still verifies.
      const kept = previous.signers.get(alg);
      best ??= kept !== undefined ? keys.get(kept.kid) : undefined;
      if (best?.signKey) signers.set(alg, best);
    }
    return { keys, signers, jwks: publish(keys) };
  }

  /**
   * Opening the sealed private key authenticates the record (AES-GCM bound to kid and alg), and the
   * public key is derived from it, so a key written into the database without the secret verifies nothing.
   */
  async #import(doc: SigningKeyDoc, retireAtMs: number, signs: boolean): Promise<KeyEntry> {
    const privateJwk = this.#store.open(doc);
    let verifyKey: CryptoKey;
    let verifyObject: KeyObject;
    let signKey: CryptoKey | null = null;
    let published: KeyEntry['published'] = null;
    if (doc.alg === 'HS256') {
      verifyKey = await importVerifyKey(doc.alg, privateJwk);
      verifyObject = verifyKeyObject(doc.alg, privateJwk);
      if (signs) signKey = verifyKey;
    } else {
      const publicJwk = publicHalf(privateJwk);
      if ((await thumbprint(publicJwk)) !== doc._id) throw new Error('kid is not the thumbprint of the sealed key');
      verifyKey = await importVerifyKey(doc.alg, publicJwk);
      verifyObject = verifyKeyObject(doc.alg, publicJwk);
      if (signs) signKey = await importSignKey(doc.alg, privateJwk);
      published = publishedJwk(doc._id, doc.alg, publicJwk);
    }
    return {
      kid: doc._id,
      alg: doc.alg,
      state: doc.state,
      createdAtMs: doc.createdAt.getTime(),
      retireAtMs,
      verifyKey,
      verifyKeyObject: verifyObject,
      signKey,
      published,
    };
  }
}

const newer = (a: KeyEntry, b: KeyEntry) =>
  a.createdAtMs > b.createdAtMs || (a.createdAtMs === b.createdAtMs && a.kid > b.kid);

/** Active keys first, newest first; frozen because every caller gets the same object. */
function publish(keys: ReadonlyMap<string, KeyEntry>): { keys: Record<string, unknown>[] } {
  const entries = [...keys.values()].filter((e) => e.published !== null);
  entries.sort((a, b) => (a.state === b.state ? (newer(a, b) ? -1 : 1) : a.state === 'active' ? -1 : 1));
  return Object.freeze({ keys: Object.freeze(entries.map((e) => e.published!)) as Record<string, unknown>[] });
}

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));
