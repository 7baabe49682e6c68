import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 defaults every authenticator app uses: SHA-1, 6 digits, 30 s steps. */
const PERIOD_S = 30;
const CODE = /^\d{6}$/;

export const newTotpSecret = (): string => generateSecret();

export const otpauthUri = (issuer: string, label: string, secret: string): string =>
  generateURI({ issuer, label, secret });

/**
 * The time step a code belongs to, if it is valid now (one step of clock drift either way), else
 * undefined. The step is what makes a code single-use: the caller claims it once.
 */
export async function totpStep(secret: string, code: string, nowMs: number): Promise<number | undefined> {
  if (!CODE.test(code)) return undefined;
  const epoch = Math.floor(nowMs / 1000);
  const r = await verify({ secret, token: code, epoch, epochTolerance: PERIOD_S });
  return r.valid ? Math.floor(epoch / PERIOD_S) + r.delta : undefined;
}
