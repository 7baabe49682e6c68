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

/** Distinct requested names remembered per document (a client can send any number of them). */
const NAMES_PER_DOCUMENT = 16;

/**
 * Operation names keyed by the operation's context (one per operation, also within a batch).
 * The after-parse hook is one shared function, and the name of a document is worked out once per
 * document (Yoga's parse cache hands back the same DocumentNode for the same text), so per
 * request it costs two WeakMap operations. All plugins share one instance (`operationNames()`):
 * the request log and the metrics ask for the same name.
 */
function createOperationNames(): OperationNames {
  const names = new WeakMap<object, string>();
  const byDocument = new WeakMap<DocumentNode, Map<string, string>>();
  const nameIn = (document: DocumentNode, requested: string | null | undefined) => {
    let known = byDocument.get(document);
    if (known === undefined) {
      known = new Map();
      byDocument.set(document, known);
    }
    const key = requested ?? '';
    let name = known.get(key);
    if (name === undefined) {
      name = operationName(document, requested);
      if (known.size < NAMES_PER_DOCUMENT) known.set(key, name);
    }
    return name;
  };
  const afterParse: AfterParseHook = ({ context, result }) => {
    if (isDocument(result) && !names.has(context))
      names.set(context, nameIn(result, (context as OperationContext).params?.operationName));
  };
  return {
    onParse: () => afterParse,
    nameOf: (context) => names.get(context) ?? (context.params?.operationName || 'anonymous'),
  };
}

let shared: OperationNames | undefined;

export function operationNames(): OperationNames {
  shared ??= createOperationNames();
  return shared;
}
