import { type Db, MongoClient, type MongoClientOptions } from 'mongodb';

/**
 * Timeouts sized for an auth service: fail within seconds (and then fail closed), never hang for
 * the driver's default 30 s. Writes ask for majority so that an acknowledged login or rotation
 * survives a replica-set failover (standalone servers and FerretDB treat it as w:1).
 */
export const CLIENT_OPTIONS: MongoClientOptions = {
  serverSelectionTimeoutMS: 3000,
  connectTimeoutMS: 3000,
  socketTimeoutMS: 10_000,
  heartbeatFrequencyMS: 1000,
  maxPoolSize: 50,
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
  appName: 'gatehouse',
};

export interface Database {
  client: MongoClient;
  db: Db;
  /** Answers within `timeoutMs` whether the server replies to a ping. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function connectDatabase(
  uri: string,
  dbName: string,
  options: MongoClientOptions = {},
): Promise<Database> {
  const client = new MongoClient(uri, { ...CLIENT_OPTIONS, ...options });
  await client.connect();
  const db = client.db(dbName);
  return {
    client,
    db,
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const pinged = db.command({ ping: 1 }, { timeoutMS: timeoutMs }).then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([pinged, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => client.close(),
  };
}
