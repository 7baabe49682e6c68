import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed documents for the operations the tests (and example clients) send. Run `npm run codegen`. */
const config: CodegenConfig = {
  schema: './schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  generates: {
    'test/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { DateTime: 'string' },
      },
    },
  },
};

export default config;
