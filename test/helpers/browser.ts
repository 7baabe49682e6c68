import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium, type Request } from 'playwright-core';

const run = promisify(execFile);
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, installed with apt when missing (CI machines start without it). Resolves
 * undefined — and the caller skips loudly — only where it truly cannot be installed.
 */
export async function ensureChromium(): Promise<string | undefined> {
  const present = () =>
    access(CHROMIUM).then(
      () => true,
      () => false,
    );
  if (await present()) return CHROMIUM;
  if (process.getuid?.() !== 0) return undefined;
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update'], { env, timeout: 300_000, maxBuffer: 64 << 20 });
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      env,
      timeout: 600_000,
      maxBuffer: 64 << 20,
    });
  } catch (err) {
    process.stderr.write(`# could not install chromium: ${(err as Error).message.split('\n')[0]}\n`);
    return undefined;
  }
  return (await present()) ? CHROMIUM : undefined;
}

/**
 * What the browser did, newest last: every Playwright call as it starts and ends, and every request,
 * answer, failure and crash. A test that stalls reports this, so a stall names its step.
 */
export class BrowserLog {
  readonly #lines: string[] = [];
  readonly #start = performance.now();
  add(line: string): void {
    this.#lines.push(`${(performance.now() - this.#start).toFixed(0).padStart(6)} ms ${line}`);
    if (this.#lines.length > 400) this.#lines.shift();
  }
  tail(n = 60): string {
    return this.#lines.slice(-n).join('\n');
  }
  /** Requests sent and not yet answered in full (nor failed), by URL. */
  readonly unanswered = new Map<Request, string>();
  /** Network events of a context (and its pages) into the log. */
  watch(context: BrowserContext): void {
    context.on('request', (r) => {
      this.unanswered.set(r, `${r.method()} ${r.url()}`);
      this.add(`request ${r.method()} ${r.url()}`);
    });
    context.on('response', (r) => this.add(`response ${r.status()} ${r.request().method()} ${r.url()}`));
    context.on('requestfinished', (r) => this.unanswered.delete(r));
    context.on('requestfailed', (r) => {
      this.unanswered.delete(r);
      this.add(`failed ${r.method()} ${r.url()}: ${r.failure()?.errorText}`);
    });
    context.on('page', (p) => {
      p.on('crash', () => this.add(`page crashed: ${p.url()}`));
      p.on('close', () => this.add(`page closed: ${p.url()}`));
    });
  }
}

/**
 * Headless Chromium as root on a machine with no outside network: no sandbox, no background traffic,
 * and no name resolved but loopback's, so nothing can wait on a connection that a closed network drops.
 */
export async function launchChromium(executablePath: string, log?: BrowserLog): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-proxy-server',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
    ],
    ...(log && {
      logger: {
        isEnabled: (name: string) => name === 'api',
        log: (_name: string, _s: string, m: string | Error) => log.add(String(m)),
      },
    }),
  });
  if (log) browser.on('disconnected', () => log.add('browser disconnected'));
  return browser;
}
