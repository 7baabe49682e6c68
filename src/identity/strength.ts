import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

/** zxcvbn's scale: 0 too guessable … 4 very unguessable. */
export const MIN_SCORE = 2;

let zxcvbn: ZxcvbnFactory | undefined;
let common: ReadonlySet<string> | undefined;

// Built on first use: the dictionaries take a few tens of milliseconds to rank.
function estimator(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return zxcvbn;
}

/** True when the password, ignoring case, is one of the common-password or common-word lists. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set([...dictionary['passwords-common'], ...dictionary['diceware-common']]);
  return common.has(password.toLowerCase());
}

/** zxcvbn's score, with the user's own words (email, app name) counted as guessable. */
export function strengthScore(password: string, userInputs: string[]): number {
  return estimator().check(password, userInputs).score;
}
