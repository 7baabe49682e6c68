import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** Whether `pid` is a live process (one owned by another user counts: signalling it is only refused). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A database server process whose output goes to `logFile`, and how it ended once it has. */
export interface LoggedChild {
  child: ChildProcess;
  /** `exited with <code or signal>`, once the process has exited; undefined while it runs. */
  exited(): string | undefined;
}

export function spawnLogged(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): LoggedChild {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  return { child, exited: () => exited };
}
