import {
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isUnionType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/** One guarded-field check as generic-auth's rule would make it: the parent type it sees and the field. */
export interface PlannedCheck {
  readonly parentType: GraphQLObjectType | GraphQLInterfaceType;
  readonly field: GraphQLField<unknown, unknown>;
}

/** Every distinct (parent type, field) check of a document. */
export type Plan = readonly PlannedCheck[];

/**
 * Every (parent type, field) of `document` that generic-auth's rule would hand to a field check,
 * found the way that rule walks a document: each Field of every operation and fragment, its
 * parent from TypeInfo, a union's members one by one, introspection types skipped. Fields behind
 * @skip / @include are kept, so the plan is a superset of what is checked for any variables.
 * No field is left out because it looks public: that is the check's call, made per request.
 */
function planOf(schema: GraphQLSchema, document: DocumentNode): Plan {
  const typeInfo = new TypeInfo(schema);
  const seen = new Map<object, Set<string>>();
  const checks: PlannedCheck[] = [];
  const consider = (parentType: GraphQLObjectType | GraphQLInterfaceType, fieldNode: FieldNode) => {
    const field = parentType.getFields()[fieldNode.name.value];
    if (!field) return;
    let names = seen.get(parentType);
    if (names === undefined) {
      names = new Set();
      seen.set(parentType, names);
    }
    if (names.has(field.name)) return;
    names.add(field.name);
    checks.push({ parentType, field });
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = getNamedType(typeInfo.getParentType());
        if (!parent || isIntrospectionType(parent)) return;
        if (isUnionType(parent)) for (const member of parent.getTypes()) consider(member, node);
        else if (isObjectType(parent) || isInterfaceType(parent)) consider(parent, node);
      },
    }),
  );
  return Object.freeze(checks);
}

const plans = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Plan>>();

/** The plan of a document, made once per schema and parsed document (servers cache parsed documents). */
export function planFor(schema: GraphQLSchema, document: DocumentNode): Plan {
  let bySchema = plans.get(schema);
  if (bySchema === undefined) {
    bySchema = new WeakMap();
    plans.set(schema, bySchema);
  }
  let plan = bySchema.get(document);
  if (plan === undefined) {
    plan = planOf(schema, document);
    bySchema.set(document, plan);
  }
  return plan;
}
