// Error documents as AWS's Node.js runtime posts them, and the runtime's own error types.
import util from 'node:util';

export class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

const wrapping = (name) => (cause) => Object.assign(new RuntimeError(name, String(cause)),
  { stack: `${name}: ${cause}\n${stackTail(cause)}` });
export const importModuleError = wrapping('Runtime.ImportModuleError');
export const syntaxError = wrapping('Runtime.UserCodeSyntaxError');
export const handlerNotFound = (message) => new RuntimeError('Runtime.HandlerNotFound', message);
export const malformedHandler = (message) => new RuntimeError('Runtime.MalformedHandlerName', message);

export function unhandledRejection(reason) {
  const message = reason && reason.errorMessage !== undefined ? reason.errorMessage : reason;
  return new RuntimeError('Runtime.UnhandledPromiseRejection', String(message));
}

function stackTail(error) {
  const lines = String((error && error.stack) || '').split('\n');
  return lines.filter((line) => line.startsWith('    at ')).join('\n');
}

function isError(value) {
  return util.types.isNativeError(value) || (value !== null && typeof value === 'object'
    && typeof value.name === 'string' && typeof value.message === 'string');
}

/** The body of /invocation/<id>/error and /init/error. */
export function toRapidResponse(error) {
  try {
    if (isError(error)) {
      return {
        errorType: String(error.name).replace(/\x7F/g, '%7F'),
        errorMessage: String(error.message).replace(/\x7F/g, '%7F'),
        trace: String(error.stack || '').replace(/\x7F/g, '%7F').split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or '
        + 'more of its message, name, and stack',
    };
  }
}

/** What the runtime logs next to "Invoke Error", "Uncaught Exception"... */
export function toFormatted(error) {
  const { errorType, errorMessage, trace } = toRapidResponse(error);
  return '\t' + JSON.stringify({ errorType, errorMessage, stack: trace || [] });
}
