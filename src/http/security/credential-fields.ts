import { GraphQLError, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Root fields that check a credential or mint tokens: one per operation, so aliases cannot multiply guesses. */
export const CREDENTIAL_FIELDS: readonly string[] = [
  'login',
  'register',
  'loginAnonymous',
  'refresh',
  'changePassword',
  'verifyEmail',
  'requestPasswordReset',
  'resetPassword',
  'confirmTotp',
  'disableTotp',
];

/** Counts root-level selections named in `fields`, through aliases, inline fragments and fragment spreads. */
function countFields(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  fields: ReadonlySet<string>,
  expanding: Set<string>,
): number {
  let count = 0;
  for (const s of selectionSet.selections) {
    if (s.kind === 'Field') {
      if (fields.has(s.name.value)) count++;
    } else if (s.kind === 'InlineFragment') {
      count += countFields(context, s.selectionSet, fields, expanding);
    } else {
      const name = s.name.value;
      const fragment = context.getFragment(name);
      if (!fragment || expanding.has(name)) continue; // unknown or cyclic: other rules report it
      expanding.add(name);
      count += countFields(context, fragment.selectionSet, fields, expanding);
      expanding.delete(name);
    }
  }
  return count;
}

/**
 * Validation rule: an operation may select at most one credential field. Counting is syntactic
 * (a field under `@skip` still counts), so it fails closed. Being validation, it stops the whole
 * operation before any resolver runs, with `GRAPHQL_VALIDATION_FAILED`.
 */
export function singleCredentialFieldRule(fields: readonly string[] = CREDENTIAL_FIELDS): ValidationRule {
  const names = new Set(fields);
  return (context) => ({
    OperationDefinition(node) {
      if (countFields(context, node.selectionSet, names, new Set()) > 1) {
        context.reportError(
          new GraphQLError(`An operation may contain only one of: ${fields.join(', ')}.`, {
            nodes: [node],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
        );
      }
    },
  });
}

export function useSingleCredentialField(fields: readonly string[] = CREDENTIAL_FIELDS): Plugin {
  const rule = singleCredentialFieldRule(fields);
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
