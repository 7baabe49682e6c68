import type { ChildProcess } from 'node:child_process';
import { spawnOn } from './cpu.js';

/** A long-running child (a server) that announces readiness with one stdout line. */
export interface Running {
  child: ChildProcess;
  /** The first capture group of the readiness line (e.g. the URL). */
  ready: string;
  stop(): Promise<void>;
}

export function startChild(
  cpus: string,
  cmd: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; readyLine: RegExp; timeoutMs: number; stdin?: boolean },
): Promise<Running> {
  const stdio = [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] as const;
  const child = spawnOn(cpus, cmd, args, { env: opts.env, cwd: opts.cwd, stdio: [...stdio] });
  let out = '';
  let err = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${cmd} ${args.join(' ')} not ready after ${opts.timeoutMs} ms: ${err.slice(-500)}`));
    }, opts.timeoutMs);
    child.stdout?.on('data', (c: Buffer) => {
      out += c;
      const m = opts.readyLine.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, ready: m[1] ?? m[0], stop });
      }
    });
    child.stderr?.on('data', (c: Buffer) => {
      err += c;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code ?? signal}) before it was ready: ${err.slice(-800)}`));
    });
  });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Collects a child's stdout and stderr until it exits (killed after `timeoutMs`, if given). */
export function finished(child: ChildProcess, timeoutMs?: number): Promise<Finished> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c;
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c;
  });
  return new Promise((resolve, reject) => {
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    });
  });
}

/** Runs a child to completion and parses the last line of its stdout as JSON. */
export async function runJsonChild<T>(
  cpus: string,
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<T> {
  const { code, signal, out, err } = await finished(
    spawnOn(cpus, cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    timeoutMs,
  );
  if (code !== 0) throw new Error(`${args.join(' ')} failed (${code ?? signal}): ${err.slice(-800)}`);
  const last = out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`${args.join(' ')} printed no JSON: ${out.slice(-300)}`);
  }
}
