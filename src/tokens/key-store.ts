import type { JWK } from 'jose';
import { type Collection, type Db, MongoServerError } from 'mongodb';
import { ALGORITHMS, type SigningAlgorithm } from '../config/index.js';
import { KEY_PURPOSES } from '../core/index.js';
import { generateKeyMaterial, type KeyMaterial, KID_PATTERN } from './keys.js';
import { createSealer, type Sealed, type Sealer } from './sealing.js';

export const SIGNING_KEYS_COLLECTION = 'signing_keys';

interface KeyDocBase {
  /** The kid. */
  _id: string;
  alg: SigningAlgorithm;
  /** For operators and tooling only: verifiers derive the public key from the sealed private key. */
  publicJwk: JWK | null;
  /** The private JWK (or HS256 secret), AES-256-GCM sealed and bound to `_id` and `alg`. */
  privateJwk: Sealed;
  createdAt: Date;
}

/**
 * One signing key. `slot` carries the one-active-key-per-algorithm invariant through a unique
 * index (FerretDB has no partial indexes or transactions): it is the algorithm while the key is
 * active and `retired:<kid>` afterwards, so a second active key for an algorithm cannot be inserted.
 */
export type SigningKeyDoc =
  | (KeyDocBase & { state: 'active'; slot: SigningAlgorithm; retireAt: null })
  | (KeyDocBase & { state: 'retiring'; slot: `retired:${string}`; retireAt: Date });

const DUPLICATE_KEY = 11000;

/** The `signing_keys` collection. Private keys go in and come out sealed; only `open` gives them back. */
export class SigningKeyStore {
  readonly #coll: Collection<SigningKeyDoc>;
  readonly #sealer: Sealer;
  #indexed: Promise<void> | undefined;

  /** `sealKey`: the purpose key `KEY_PURPOSES.signingKeys` derived from the server secret. */
  constructor(db: Db, sealKey: Buffer) {
    this.#coll = db.collection<SigningKeyDoc>(SIGNING_KEYS_COLLECTION);
    this.#sealer = createSealer(sealKey);
  }

  /** Every well-formed key, including retiring keys past their retireAt (callers filter by their clock). */
  async all(): Promise<SigningKeyDoc[]> {
    await this.#ready();
    const docs = await this.#coll.find({}).toArray();
    return docs.filter(isKeyDoc);
  }

  /** Adds a new active key for `alg`. Resolves false when an active key already exists (another instance won). */
  async create(alg: SigningAlgorithm, now: Date): Promise<boolean> {
    await this.#ready();
    return this.#insertActive(await generateKeyMaterial(alg), now);
  }

  /**
   * Makes a new active key for `alg` and retires the current one. Two steps without a transaction:
   * demote, then insert. If another instance inserts an active key in between (a concurrent rotate
   * or a start-up that found none), the insert loses on the unique slot and that key is the new one.
   */
  async rotate(alg: SigningAlgorithm, now: Date, retireAt: Date): Promise<void> {
    await this.#ready();
    // Generate first so the moment without an active key is one round trip, not an RSA key generation.
    const material = await generateKeyMaterial(alg);
    const current = await this.#coll.findOne({ slot: alg }, { projection: { _id: 1 } });
    if (current) {
      // Conditional on still being active: a concurrent rotation may have demoted it already.
      await this.#coll.updateOne(
        { _id: current._id, slot: alg },
        { $set: { state: 'retiring', slot: `retired:${current._id}`, retireAt } },
      );
    }
    await this.#insertActive(material, now);
  }

  /** Deletes keys whose retirement time has passed. */
  async purge(now: Date): Promise<number> {
    const r = await this.#coll.deleteMany({ state: 'retiring', retireAt: { $lte: now } });
    return r.deletedCount;
  }

  /** The private JWK in clear. Throws when the secret differs from the one that sealed it, or the record was altered. */
  open(doc: SigningKeyDoc): JWK {
    const jwk: unknown = JSON.parse(this.#sealer.open(doc.privateJwk, sealContext(doc._id, doc.alg)));
    if (typeof jwk !== 'object' || jwk === null) throw new Error('sealed key is not a JWK');
    return jwk as JWK;
  }

  async #insertActive(key: KeyMaterial, now: Date): Promise<boolean> {
    const doc: SigningKeyDoc = {
      _id: key.kid,
      alg: key.alg,
      publicJwk: key.publicJwk,
      privateJwk: this.#sealer.seal(JSON.stringify(key.privateJwk), sealContext(key.kid, key.alg)),
      createdAt: now,
      state: 'active',
      slot: key.alg,
      retireAt: null,
    };
    try {
      await this.#coll.insertOne(doc);
      return true;
    } catch (err) {
      if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) return false;
      throw err;
    }
  }

  #ready(): Promise<void> {
    this.#indexed ??= this.#coll.createIndex({ slot: 1 }, { unique: true, name: 'slot_unique' }).then(
      () => undefined,
      (err: unknown) => {
        this.#indexed = undefined; // instances creating the collection at once may collide: the next call retries
        throw err;
      },
    );
    return this.#indexed;
  }
}

/** The GCM associated data: a sealed key only opens as the key it was sealed for. */
const sealContext = (kid: string, alg: SigningAlgorithm) => `${KEY_PURPOSES.signingKeys}|${kid}|${alg}`;

function isKeyDoc(d: SigningKeyDoc): boolean {
  if (typeof d._id !== 'string' || !KID_PATTERN.test(d._id)) return false;
  if (!(ALGORITHMS as readonly string[]).includes(d.alg) || !(d.createdAt instanceof Date)) return false;
  if (typeof d.privateJwk !== 'object' || d.privateJwk === null) return false;
  return d.state === 'active' ? d.retireAt === null : d.state === 'retiring' && d.retireAt instanceof Date;
}
