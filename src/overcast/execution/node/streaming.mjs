// Response streaming: `awslambda.streamifyResponse(handler)` marks a handler that writes its
// response to a stream; the runtime posts it as a chunked /response with
// `Lambda-Runtime-Function-Response-Mode: streaming`, chunk by chunk as the handler writes.
// `awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies})` prefixes the body
// with the JSON prelude and eight NUL bytes a function URL reads its status and headers from.
import { Writable } from 'node:stream';
import { finished as streamFinished } from 'node:stream/promises';
import { openPost } from './rapid.mjs';
import { toRapidResponse } from './errors.mjs';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';

export const isStreaming = (handler) => handler[STREAMING] === 'response';

class ResponseStream extends Writable {
  constructor(id) {
    super();
    this.id = id;
    this.contentType = 'application/octet-stream';
    this.post = null;
    this.errorTrailers = null;   // set when the handler failed mid-stream
  }

  setContentType(type) {
    if (this.post) throw new Error('Tried to set content type after the response started');
    this.contentType = type;
  }

  open() {
    if (!this.post) {
      this.post = openPost(`/invocation/${this.id}/response`, {
        'Content-Type': this.contentType, 'Transfer-Encoding': 'chunked',
        'Lambda-Runtime-Function-Response-Mode': 'streaming', Trailer: 'Lambda-Runtime-Function-Error-Type, '
          + 'Lambda-Runtime-Function-Error-Body',
      });
      this.post.req.flushHeaders();
    }
    return this.post;
  }

  _write(chunk, encoding, callback) {
    this.open().req.write(chunk, callback);
  }

  _final(callback) {
    const { req } = this.open();
    if (this.errorTrailers) req.addTrailers(this.errorTrailers);
    req.end(callback);
  }

  /** The handler failed after the response started: every chunk it wrote goes out first (writes
   * made while an earlier chunk was still being flushed wait in this Writable's queue), then the
   * stream ends with the error in its trailers, as AWS's runtime does. */
  async fail(error) {
    const document = toRapidResponse(error);
    this.errorTrailers = { 'Lambda-Runtime-Function-Error-Type': document.errorType,
      'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(document)).toString('base64') };
    const { req, finished } = this.open();
    if (!this.destroyed) {
      if (!this.writableEnded) this.end();
      await streamFinished(this).catch(() => {});
    }
    if (!req.writableEnded) {   // the Writable broke before its end: end the request ourselves
      req.addTrailers(this.errorTrailers);
      req.end();
    }
    await finished.catch(() => {});
  }
}

export async function runStreaming(handler, event, context, id) {
  const stream = new ResponseStream(id);
  try {
    await handler(event, stream, context);
  } catch (error) {
    if (!stream.post) throw error;   // nothing sent yet: an ordinary error response
    await stream.fail(error);
    return;
  }
  if (!stream.writableEnded) stream.end();
  await new Promise((resolve) => (stream.writableFinished ? resolve() : stream.once('finish', resolve)));
  await stream.open().finished.catch(() => {});
}

export function installGlobals() {
  const HttpResponseStream = {
    from(stream, prelude) {
      stream.setContentType(HTTP_INTEGRATION);
      stream.write(JSON.stringify(prelude || {}));
      stream.write(new Uint8Array(8));
      return stream;
    },
  };
  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      handler[STREAMING] = 'response';
      if (options && options.highWaterMark) handler.highWaterMark = options.highWaterMark;
      return handler;
    },
    HttpResponseStream,
  };
}
