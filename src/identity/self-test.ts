import { execFile } from 'node:child_process';
import { projectRoot } from '../paths.js';

/**
 * Hashes once with argon2 in a child process. A broken native build (the 0.45.1 linux-x64
 * prebuild segfaults on some machines) would otherwise kill the server at the first login with
 * no message; here it stops start-up with one.
 */
export function argon2SelfTest(): Promise<void> {
  const script =
    "import('argon2').then(async ({default: a}) => { const h = await a.hash('self-test', { type: a.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 }); if (!(await a.verify(h, 'self-test'))) process.exit(3); })";
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd: projectRoot(), timeout: 20_000 },
      (err) => {
        if (!err) return resolve();
        const how = err.signal ? `was killed by ${err.signal}` : `exited with ${err.code}`;
        reject(
          new Error(
            `argon2 self-test failed: hashing ${how}. The native module is broken on this machine; rebuild it from source with \`npm rebuild argon2 --build-from-source\` (needs python3, make and g++).`,
          ),
        );
      },
    );
  });
}
