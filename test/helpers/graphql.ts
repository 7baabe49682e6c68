import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, print } from 'graphql';
import { testTarget } from './gatehouse.js';

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; retryAfter?: number; reasons?: string[]; [k: string]: unknown };
}

export interface GqlResponse<R> {
  status: number;
  headers: Headers;
  data: R | null | undefined;
  errors: GqlError[] | undefined;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  token?: string;
}

/** POSTs a typed operation to a real Gatehouse over HTTP. */
export async function gql<R, V>(
  url: string,
  doc: TypedDocumentNode<R, V> | DocumentNode | string,
  variables?: V,
  opts: RequestOptions = {},
): Promise<GqlResponse<R>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  // Against `serve --workers`, a connection per request lets the cluster spread them over the workers.
  if (testTarget() === 'workers') headers.connection = 'close';
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: typeof doc === 'string' ? doc : print(doc), variables }),
  });
  const text = await res.text();
  let body: { data?: R | null; errors?: GqlError[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`non-JSON response ${res.status}: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, data: body.data, errors: body.errors };
}

/** The first error's code, or undefined. */
export const codeOf = (r: { errors?: GqlError[] | undefined }) => r.errors?.[0]?.extensions?.code;
