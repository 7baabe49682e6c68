import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { mongoUri, TEST_SECRET } from './gatehouse.js';

/**
 * `./bin/gatehouse <args>` as a user would run it, in `cwd` (its ./.gatehouse stays there), with
 * `cwd/manifest.json`, the run's database under `dbName`, port 0, and only the environment it needs.
 */
export function spawnGatehouse(args: string[], cwd: string, dbName: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(join(projectRoot(), 'bin', 'gatehouse'), args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: '0',
      HOST: '127.0.0.1',
      MONGODB_URI: mongoUri(),
      MONGODB_DB: dbName,
      GATEHOUSE_MANIFEST: join(cwd, 'manifest.json'),
      GATEHOUSE_SECRET: TEST_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the URL of `gatehouse serve`'s `listening on …` line; rejects with what the process said otherwise. */
export function listeningUrl(child: ChildProcess, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no "listening on" within ${timeoutMs} ms: ${out} ${err}`)),
      timeoutMs,
    );
    const onOut = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+\/graphql)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout?.off('data', onOut);
        child.stderr?.off('data', onErr);
        child.off('exit', onExit);
        resolve(m[1]!);
      }
    };
    const onErr = (d: Buffer) => {
      err += d;
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening: ${out} ${err}`));
    };
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
  });
}
