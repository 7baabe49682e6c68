import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * CPU pinning with `taskset` (Linux, util-linux). Servers under test run on one core and load
 * generators on another, so that they do not steal each other's time; without taskset (or with
 * one core) everything runs unpinned and the report says so.
 */
export const CORES = availableParallelism();

function probe(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const HAS_TASKSET = process.platform === 'linux' && probe();

/** The core servers run on, the core load generators run on, and "any core". */
export const SERVER_CPU = '0';
export const CLIENT_CPU = CORES > 1 ? '1' : '0';
export const ALL_CPUS = CORES > 1 ? `0-${CORES - 1}` : '0';

/** Pins every thread of `pid` (existing ones; new threads inherit from their creator). False when not possible. */
export function pin(pid: number, cpus: string): boolean {
  if (!HAS_TASKSET) return false;
  try {
    execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Spawns `cmd` on `cpus` (through taskset when present: a child otherwise inherits its parent's pinning). */
export function spawnOn(cpus: string, cmd: string, args: string[], options: SpawnOptions): ChildProcess {
  return HAS_TASKSET ? spawn('taskset', ['-c', cpus, cmd, ...args], options) : spawn(cmd, args, options);
}
