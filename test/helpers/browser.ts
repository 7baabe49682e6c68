import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';

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

/** Headless Chromium as root on a machine with no outside network: no sandbox, no background traffic. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
    ],
  });
}
