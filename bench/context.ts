import type { CommandStartedEvent } from 'mongodb';
import type { Services } from '../src/services.js';
import type { GatehouseWorld, WorldAddress } from './world/world.js';

/** How long each part runs. The defaults fit the whole run in a few minutes on two cores. */
export interface BenchConfig {
  /** Interleaved rounds per comparison (median of these; ≥ 3). */
  rounds: number;
  /** In-process load per variant per round… */
  roundMs: number;
  /** …cut into this many slices, interleaved with the other variants' slices. */
  slices: number;
  /** autocannon run per variant per round (s). */
  httpRoundS: number;
  /** Requests in flight, in-process. */
  concurrency: number;
  /** HTTP connections for autocannon. */
  connections: number;
  /**
   * Sequential requests per target per round, for the unloaded latencies: 2,500 puts their p99 at
   * the 25th-largest sample (400 put it at the 4th, and it swung ±2 ms between rounds).
   */
  latencySamples: number;
  /**
   * Length of each login-burst window (and of its quiet twin), ms: 4 s holds ~800 probes, a p99
   * at the 8th-largest (1.5 s held ~300: the 3rd, noise).
   */
  burstMs: number;
  /** Revocation-lag trials. */
  revocationTrials: number;
  /** Mixed-traffic soak of the login-at-scale scenario (issue 15 asks for 10). */
  soakMinutes: number;
}

export const DEFAULT_CONFIG: BenchConfig = {
  rounds: 3,
  roundMs: 800,
  slices: 4,
  httpRoundS: 1.5,
  concurrency: 32,
  connections: 16,
  latencySamples: 2500,
  burstMs: 4000,
  revocationTrials: 60,
  soakMinutes: 10,
};

/** `--quick`: the same scenarios, shorter (checking the harness, not measuring). */
export const QUICK_CONFIG: BenchConfig = {
  rounds: 3,
  roundMs: 300,
  slices: 3,
  httpRoundS: 1,
  concurrency: 16,
  connections: 8,
  latencySamples: 150,
  burstMs: 1500,
  revocationTrials: 50,
  soakMinutes: 1,
};

/** The big world, started once and shared by the scenarios that need it. */
export interface BigWorld {
  at: WorldAddress;
  services: Services;
}

/** The small world: one whole Gatehouse (its own schema) whose database commands are recorded. */
export interface SmallWorld {
  at: WorldAddress;
  instance: GatehouseWorld;
  /** Every command instance A sent, in order (command monitoring); scenarios clear it as they go. */
  commands: CommandStartedEvent[];
  /** Those of `commands` sent by work a request left running after its response (flows' `later`). */
  afterResponse: WeakSet<CommandStartedEvent>;
}

export interface BenchContext {
  config: BenchConfig;
  /** Where the database runs (`external` with MONGODB_URI, else started here). */
  dbUri: string;
  dbKind: string;
  big: () => Promise<BigWorld>;
  small: () => Promise<SmallWorld>;
  log(message: string): void;
}
