import { createGraphQLError, type Plugin } from 'graphql-yoga';

/**
 * Yoga's `maxRequestBodySize` answers 413 without reading the rest of the body. On a keep-alive
 * connection that unread rest of a streamed (chunked) body was taken for the next request: that
 * request hung ~6 s, then ECONNRESET (measured). So a 413 closes its connection.
 */
export function useCloseAfterTooLarge(): Plugin {
  return {
    onResponse({ response }) {
      if (response.status === 413) response.headers.set('connection', 'close');
    },
  };
}

const CONTENT_LENGTH = /^\d+$/;

const tooLarge = () =>
  createGraphQLError('Request body too large', {
    extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' },
  });

/** The node:http request Yoga was called with, when there is one. */
interface NodeRequestContext {
  req?: { headers?: Record<string, string | string[] | undefined> };
}

/**
 * Whether a body held in memory as it was given (`yoga.fetch(url, { body: string })`) fits:
 * whatwg-node's Request keeps such a body as is until something streams it. Undefined for a
 * stream or any other implementation: then the body is counted as it streams.
 */
function inMemoryFits(request: Request, limit: number): boolean | undefined {
  const { bodyType, bodyInit } = request as { bodyType?: unknown; bodyInit?: unknown };
  if (bodyType === 'String' && typeof bodyInit === 'string') {
    // n UTF-16 units are at most 3n UTF-8 bytes: most bodies need no byte count at all
    return bodyInit.length * 3 <= limit || Buffer.byteLength(bodyInit) <= limit;
  }
  if (bodyType === 'Buffer' && (ArrayBuffer.isView(bodyInit) || bodyInit instanceof ArrayBuffer))
    return bodyInit.byteLength <= limit;
  return undefined;
}

/** The body with a byte counter: errors (413) once more than `limit` bytes have streamed through. */
function counted(
  request: Request,
  limit: number,
  fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream },
): Request {
  const body = request.body!;
  // As Yoga does: a native stream needs the native TransformStream (graphql-yoga#4583).
  const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let read = 0;
  const limited = body.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        if (read > limit) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    body: limited,
    duplex: 'half',
  } as RequestInit);
}

/**
 * The request-body limit (`server.graphql.max_body_bytes`), in place of Yoga's own
 * `maxRequestBodySize` (set that to false where this plugin is added; yogaSecurityOptions keeps
 * Yoga's, so a server built without this plugin is never left without a limit). Same answers: an invalid Content-Length is a 400, a
 * larger one a 413 before anything is read, and a body without one (chunked) is counted as it
 * streams and cut at the limit with a 413. What it saves: Yoga pipes every body through a
 * counting stream, and the stream pipeline's clean-up alone (an AbortController aborted with a
 * DOMException and its stack trace) cost ~35 µs of the ~500 µs CPU a served request takes
 * (bench/results/profile-http). A body that node:http framed by a Content-Length within the
 * limit cannot deliver more bytes than that (its parser hands anything after them to the next
 * request, and refuses Content-Length beside Transfer-Encoding), so it needs no counting.
 * Requests that did not come through node:http (`yoga.fetch`) are counted, unless their body is
 * a string or buffer held in memory, whose size is simply read.
 * Put it after every plugin that sets a request parser.
 */
export function useRequestBodyLimit(limit: number): Plugin<Record<string, unknown>, NodeRequestContext> {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI, serverContext }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!CONTENT_LENGTH.test(length)) {
          throw createGraphQLError('Content-Length header is invalid.', {
            extensions: { http: { status: 400 }, code: 'BAD_REQUEST' },
          });
        }
        if (Number(length) > limit) throw tooLarge();
        const framed = serverContext.req?.headers?.['content-length'] === length;
        if (framed && serverContext.req?.headers?.['transfer-encoding'] === undefined) return;
      }
      if (requestParser === undefined) return;
      const fits = inMemoryFits(request, limit);
      if (fits === false) throw tooLarge();
      if (fits) return;
      if (request.body === null) return;
      const parse = requestParser;
      setRequestParser((req) => parse(counted(req, limit, fetchAPI)));
    },
  };
}
