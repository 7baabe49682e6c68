import { getDefinedRootType } from '@graphql-tools/utils';
import {
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getDirectiveValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isInterfaceType,
  isIntrospectionType,
  isListType,
  isObjectType,
  isUnionType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { type Refusal, refusalError } from './refusal.js';

/** What the field checks see of the request being executed. */
export interface ExecutionArgsLike {
  schema: GraphQLSchema;
  document: DocumentNode;
  contextValue?: unknown;
  variableValues?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** Decides one field from its parent type and definition alone: never from the node, path or variables. */
export type DecideField = (
  parentType: GraphQLObjectType | GraphQLInterfaceType,
  field: GraphQLField<unknown, unknown>,
) => Refusal | undefined;

type Path = ReadonlyArray<string | number>;

/** @skip / @include under the given variables, as @graphql-tools/utils' shouldIncludeNode decides it for generic-auth. */
function included(variables: Record<string, unknown>, node: FieldNode): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/**
 * The refusals of a request, reported the way @envelop/generic-auth's validation rule (11.x)
 * reports them, so that a refused request answers to the byte as it always did: one error per
 * refused field in document order, a refused field's selections not looked into, only the first
 * refused member of a union reported, fields left out by @skip / @include (with the operation's
 * coerced variables) not checked, and its response path (list fields add "@"; a fragment's
 * fields are prefixed with the path of the last spread of it seen so far).
 * Only the refusal path runs this; allowed requests are decided from the cached plan.
 */
export function refusalsOf(args: ExecutionArgsLike, decide: DecideField): GraphQLError[] {
  const { schema, document } = args;
  const errors: GraphQLError[] = [];
  const operation = getOperationAST(document, args.operationName);
  const definitions = operation?.variableDefinitions;
  const variableValues = definitions?.length
    ? getVariableValues(schema, definitions, args.variableValues || {}).coerced
    : args.variableValues;
  const rootType = getDefinedRootType(schema, operation?.operation ?? ('query' as never));
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const fragmentPaths = new Map<string, (string | number)[]>();

  const resolvePath = (path: Path, start: GraphQLNamedType | null | undefined): (string | number)[] => {
    const out: (string | number)[] = [];
    let type = start;
    let curr: unknown = document;
    for (const key of path) {
      curr = (curr as Record<string | number, unknown> | undefined)?.[key];
      const node = curr as ASTNode | undefined;
      if (node?.kind === Kind.FIELD) {
        const name = node.name.value;
        let field: GraphQLField<unknown, unknown> | undefined;
        if (isObjectType(type)) field = type.getFields()[name];
        else if (isAbstractType(type)) {
          for (const possible of schema.getPossibleTypes(type)) {
            field = possible.getFields()[name];
            if (field) break;
          }
        }
        if (isListType(field?.type)) out.push('@');
        out.push(node.alias?.value ?? name);
        if (field?.type) type = getNamedType(field.type);
      } else if (node?.kind === Kind.FRAGMENT_DEFINITION) {
        type = schema.getType(node.typeCondition.name.value);
        const prefix = fragmentPaths.get(node.name.value);
        if (prefix) out.push(...prefix);
      }
    }
    return out;
  };

  const check = (node: FieldNode, path: Path, parentType: GraphQLObjectType | GraphQLInterfaceType) => {
    const field = parentType.getFields()[node.name.value];
    if (field == null) return undefined; // introspection meta-fields
    const r = decide(parentType, field);
    return r && refusalError(r, node, resolvePath(path, rootType));
  };

  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      FragmentSpread(node, _key, _parent, path) {
        const fragment = fragments.get(node.name.value);
        if (fragment)
          fragmentPaths.set(node.name.value, resolvePath(path, schema.getType(fragment.typeCondition.name.value)));
      },
      Field(node, _key, _parent, path) {
        if (variableValues && !included(variableValues, node)) return undefined;
        const parent = getNamedType(typeInfo.getParentType());
        if (!parent || isIntrospectionType(parent)) return undefined;
        const members = isUnionType(parent)
          ? parent.getTypes()
          : isObjectType(parent) || isInterfaceType(parent)
            ? [parent]
            : [];
        for (const member of members) {
          const error = check(node, path, member);
          if (error) {
            errors.push(error);
            return null; // as the rule does: the refused field's selections are not looked into
          }
        }
        return undefined;
      },
    }),
  );
  return errors;
}
