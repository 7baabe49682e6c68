import { type DocumentNode, getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Envelop's after-parse hook, as Yoga's Plugin type declares it. */
type AfterParseHook = Exclude<ReturnType<NonNullable<Plugin['onParse']>>, void>;

interface OperationContext {
  params?: { operationName?: string | null | undefined };
}

/** The selected operation's own name; `anonymous` for an unnamed one or when none can be selected. */
export function operationName(document: DocumentNode, requested: string | null | undefined): string {
  return getOperationAST(document, requested)?.name?.value ?? 'anonymous';
}

function isDocument(result: unknown): result is DocumentNode {
  return typeof result === 'object' && result !== null && (result as DocumentNode).kind === Kind.DOCUMENT;
}

export interface OperationNames {
  /** Envelop `onParse` hook: remembers the name once the document is parsed (cache hits included). */
  onParse(): AfterParseHook;
  /** The operation's name; for a document that did not parse, the requested name or `anonymous`. */
  nameOf(context: OperationContext): string;
}

/**
 * Operation names keyed by the operation's context (one per operation, also within a batch).
 * The after-parse hook is one shared function: nothing is allocated per request but the entry.
 */
export function operationNames(): OperationNames {
  const names = new WeakMap<object, string>();
  const afterParse: AfterParseHook = ({ context, result }) => {
    if (isDocument(result))
      names.set(context, operationName(result, (context as OperationContext).params?.operationName));
  };
  return {
    onParse: () => afterParse,
    nameOf: (context) => names.get(context) ?? (context.params?.operationName || 'anonymous'),
  };
}
