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

/**
 * Interleaving at a finer grain: each round is `slices` passes over the variants, and a variant's
 * slices are merged into its result for the round. Slow phases of a shared machine often last
 * seconds; short slices spread them over every variant of the round.
 */
export async function interleavedSlices<T>(
  names: readonly string[],
  rounds: number,
  slices: number,
  run: (name: string, round: number, slice: number) => Promise<T>,
  merge: (parts: T[]) => T,
): Promise<Record<string, T[]>> {
  const out: Record<string, T[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const parts: Record<string, T[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let s = 0; s < slices; s++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + r + s) % names.length]!;
        parts[name]!.push(await run(name, r, s));
      }
    }
    for (const n of names) out[n]!.push(merge(parts[n]!));
  }
  return out;
}
