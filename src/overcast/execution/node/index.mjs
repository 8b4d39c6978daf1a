// overcast's runtime interface client for Node.js functions: a small stand-in for AWS's managed
// Node.js runtime (/var/runtime/index.mjs). It talks to this environment's Runtime API at
// AWS_LAMBDA_RUNTIME_API, loads the handler named by _HANDLER from LAMBDA_TASK_ROOT, and runs
// one invocation at a time. No dependencies beyond Node.js itself (18 or later).
import * as nodeModule from 'node:module';
import { call } from './rapid.mjs';
import { setRequestId, write, patchConsole } from './logging.mjs';
import { loadHandler } from './loader.mjs';
import { toFormatted, toRapidResponse, unhandledRejection } from './errors.mjs';
import { installGlobals, isStreaming, runStreaming } from './streaming.mjs';

let current = null;     // the request id being handled
let initialized = false;
let exiting = false;

function postError(path, error, code) {
  const body = JSON.stringify(toRapidResponse(error));
  const type = toRapidResponse(error).errorType || 'Runtime.Unknown';
  const headers = { 'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': type };
  return call('POST', path, body, headers)
    .then(() => code !== undefined && process.exit(code), () => process.exit(code ?? 1));
}

function fatal(label, error, code) {
  if (exiting) return;
  exiting = true;
  write('ERROR', [label, toFormatted(error)]);
  if (current) postError(`/invocation/${current}/error`, error, code);
  else if (!initialized) postError('/init/error', error, code);
  else process.exit(code);  // between invocations: nothing to report it to
}

process.on('uncaughtException', (error) => fatal('Uncaught Exception', error, 129));
process.on('unhandledRejection',
  (reason) => fatal('Unhandled Promise Rejection', unhandledRejection(reason), 128));

function parseHeader(value) {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function makeContext(headers, settle) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const env = process.env;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseHeader(headers['lambda-runtime-client-context']),
    identity: parseHeader(headers['lambda-runtime-cognito-identity']),
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    succeed: (result) => settle(null, result),
    fail: (error) => settle(error ?? 'handled'),
    done: (error, result) => settle(error, result),
  };
  return context;
}

async function respond(id, error, result) {
  if (error !== null && error !== undefined) {
    write('ERROR', ['Invoke Error', toFormatted(error)]);
    await postError(`/invocation/${id}/error`, error);
    return;
  }
  let body;
  try {
    body = JSON.stringify(result === undefined ? null : result);
  } catch (cause) {
    await postError(`/invocation/${id}/error`, Object.assign(new Error('Unable to stringify response body'),
      { cause }));
    return;
  }
  await call('POST', `/invocation/${id}/response`, body, { 'Content-Type': 'application/json' });
}

let onIdle = null;   // what to do when the event loop empties (a callback handler's result)
process.on('beforeExit', () => {
  const action = onIdle;
  onIdle = null;
  if (action) action();
});

/** Run one invocation; resolves once its result is posted. */
function invokeOnce(handler, event, headers) {
  const id = headers['lambda-runtime-aws-request-id'];
  return new Promise((resolve) => {
    let settled = false;
    const finish = (error, result) => {
      if (settled) return;
      settled = true;
      onIdle = null;
      respond(id, error, result).then(resolve, resolve);
    };
    // A callback's result goes out once the event loop is empty, unless the handler says not to wait.
    const settle = (error, result) => {
      if (settled) return;
      if (context.callbackWaitsForEmptyEventLoop) onIdle = () => finish(error, result);
      else finish(error, result);
    };
    const context = makeContext(headers, settle);
    if (isStreaming(handler)) {
      const streamed = () => { settled = true; resolve(); };
      runStreaming(handler, event, context, id).then(streamed, (error) => finish(error));
      return;
    }
    let returned;
    try {
      returned = handler(event, context, settle);
    } catch (error) {
      finish(error);
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then((result) => finish(null, result), (error) => finish(error ?? new Error('null')));
    } else if (!onIdle) {
      onIdle = () => finish(null, undefined);  // never called back: null once the loop is idle
    }
  });
}

/** ES modules ignore NODE_PATH; a resolve hook gives their bare imports its folders as a fallback.
 * The hooks are registered first thing (their thread takes tens of milliseconds to start, paid
 * before a spare process is given its function); the NODE_PATH they use is published later. */
const sharedNodePath = new SharedArrayBuffer(4 + 65536);

function registerEsmHooks() {
  if (typeof nodeModule.register === 'function') {
    nodeModule.register('./esm-hooks.mjs', import.meta.url, { data: { shared: sharedNodePath } });
  }
}

function publishNodePath() {
  const bytes = Buffer.from(process.env.NODE_PATH || '').subarray(0, 65536);
  new Uint8Array(sharedNodePath, 4).set(bytes);
  Atomics.store(new Int32Array(sharedNodePath, 0, 1), 0, bytes.length);
}

/** A spare process (started before its function was known) waits here to be given one: it then
 * takes on exactly that function's environment variables and folder. */
async function standby() {
  const assigned = JSON.parse((await call('GET', '/overcast/standby')).body.toString('utf8'));
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, assigned.env);
  process.chdir(assigned.cwd);
  nodeModule.Module._initPaths();   // NODE_PATH, as node reads it when it starts
}

async function main() {
  registerEsmHooks();
  if (process.env.OVERCAST_STANDBY) await standby();
  publishNodePath();
  patchConsole();
  installGlobals();
  let handler;
  try {
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER || '');
  } catch (error) {
    fatal('Uncaught Exception', error, 129);
    return;
  }
  initialized = true;
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const headers = next.headers;
    current = headers['lambda-runtime-aws-request-id'];
    setRequestId(current);
    if (headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    else delete process.env._X_AMZN_TRACE_ID;
    let event;
    try {
      event = JSON.parse(next.body.toString('utf8') || 'null');
    } catch (error) {
      await respond(current, error);
      continue;
    }
    await invokeOnce(handler, event, headers);
    current = null;
  }
}

main().catch((error) => fatal('Uncaught Exception', error, 129));
