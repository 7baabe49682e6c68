import type { ChildProcess } from 'node:child_process';

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
