/**
 * Interleaved rounds: every variant runs once per round, the order rotating from round to round,
 * so slow phases of a noisy machine hit every variant alike. Compare variants only within a round.
 */
export async function interleaved<T>(
  names: readonly string[],
  rounds: number,
  run: (name: string, round: number) => Promise<T>,
): Promise<Record<string, T[]>> {
  const out: Record<string, T[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length]!;
      out[name]!.push(await run(name, r));
    }
  }
  return out;
}
