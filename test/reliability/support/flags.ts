/** The long set (`*.long.test.ts`) runs only with GATEHOUSE_LONG_TESTS=1; the quick set always runs. */
export const LONG = process.env.GATEHOUSE_LONG_TESTS === '1';

/** Options for a long-set `describe`: skipped (with the reason shown) unless the flag is set. */
export const longOnly = (): { skip?: string } => (LONG ? {} : { skip: 'long set: set GATEHOUSE_LONG_TESTS=1 to run' });

/** Prints a measured number into the test output (`# …` lines survive every reporter). */
export const note = (line: string) => process.stdout.write(`# ${line}\n`);
