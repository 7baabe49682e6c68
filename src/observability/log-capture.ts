import { createLogger, type Logger } from './logger.js';

/** A logger whose JSON lines stay in memory, for tests that assert what was (and was not) logged. */
export interface LogCapture {
  logger: Logger;
  /** Everything written so far, exactly as it would reach stdout. */
  text(): string;
  /** Each line parsed. */
  lines(): Record<string, unknown>[];
  clear(): void;
}

export function captureLogs(level = 'trace'): LogCapture {
  const chunks: string[] = [];
  // pino writes synchronously to any object with write(): no flushing needed before reading
  const logger = createLogger({ level, destination: { write: (chunk: string) => void chunks.push(chunk) } });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    clear: () => void chunks.splice(0),
  };
}
