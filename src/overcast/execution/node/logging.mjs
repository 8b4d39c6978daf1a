// Console output as AWS's Node.js runtime writes it: one line per call (newlines inside a message
// become carriage returns, so CloudWatch keeps the message whole), in the text format
// `<ISO time>\t<request id>\t<LEVEL>\t<message>` or, with AWS_LAMBDA_LOG_FORMAT=JSON, one JSON
// object per line filtered by AWS_LAMBDA_LOG_LEVEL.
import util from 'node:util';

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
let json = false;
let minimum = 0;
let requestId;

export function setRequestId(id) {
  requestId = id;
}

function errorFields(error) {
  const stackTrace = String(error.stack || '').split('\n');
  return { errorType: error.name, errorMessage: error.message, stackTrace };
}

function jsonLine(level, params) {
  const record = { timestamp: new Date().toISOString(), level, requestId };
  if (params.length === 1 && params[0] instanceof Error) {
    Object.assign(record, { message: util.format(params[0]) }, errorFields(params[0]));
  } else if (params.length === 1 && typeof params[0] === 'object' && params[0] !== null) {
    record.message = params[0];
  } else {
    record.message = util.format(...params);
    const error = params.find((p) => p instanceof Error);
    if (error) Object.assign(record, errorFields(error));
  }
  try {
    return JSON.stringify(record);
  } catch {
    record.message = util.format(record.message);
    return JSON.stringify(record);
  }
}

export function write(level, params) {
  if (LEVELS[level] < minimum) return;
  const line = json
    ? jsonLine(level, params)
    : `${new Date().toISOString()}\t${requestId}\t${level}\t${util.format(...params)}`;
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

/** Route console output to the function's log stream, in the format its configuration asks for. */
export function patchConsole() {
  json = (process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
  minimum = json ? LEVELS[(process.env.AWS_LAMBDA_LOG_LEVEL || 'TRACE').toUpperCase()] || 1 : 0;
  const methods = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [name, level] of Object.entries(methods)) {
    console[name] = (...params) => write(level, params);
  }
  console.fatal = (...params) => write('FATAL', params);
}
