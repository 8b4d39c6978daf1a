// The Runtime API over one persistent connection. Requests are written by hand and answers parsed
// by hand (the Runtime API always answers with Content-Length): on this hot path node:http's
// machinery costs more than the rest of an invocation. The socket is unreferenced between
// requests, so it never keeps the event loop busy (callbackWaitsForEmptyEventLoop relies on that).
// Streamed responses use node:http (see streaming.mjs).
import http from 'node:http';
import net from 'node:net';

const [HOST, PORT] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const BASE = '/2018-06-01/runtime';
const HEADER_END = Buffer.from('\r\n\r\n');
const agent = new http.Agent({ keepAlive: true });

let socket = null;
let buffered = Buffer.alloc(0);
let waiting = null;        // { resolve, reject } of the request in flight
let queue = Promise.resolve();

function connect() {
  socket = net.connect({ host: HOST, port: Number(PORT), noDelay: true });
  socket.on('data', (chunk) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    parse();
  });
  const lost = (error) => {
    socket = null;
    buffered = Buffer.alloc(0);
    if (waiting) waiting.reject(error || new Error('the Runtime API closed the connection'));
    waiting = null;
  };
  socket.on('error', lost);
  socket.on('close', () => lost());
}

function parse() {
  if (!waiting) return;
  const end = buffered.indexOf(HEADER_END);
  if (end < 0) return;
  const lines = buffered.toString('latin1', 0, end).split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  const headers = {};
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    headers[lines[i].slice(0, colon).trim().toLowerCase()] = lines[i].slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] || 0);
  if (buffered.length < end + 4 + length) return;
  const body = buffered.subarray(end + 4, end + 4 + length);
  buffered = buffered.subarray(end + 4 + length);
  const done = waiting;
  waiting = null;
  socket.unref();
  done.resolve({ status, headers, body });
}

function send(method, path, body, headers) {
  return new Promise((resolve, reject) => {
    if (!socket) connect();
    waiting = { resolve, reject };
    socket.ref();
    const payload = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
    let head = `${method} ${BASE}${path} HTTP/1.1\r\nHost: ${HOST}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    head += `Content-Length: ${payload ? payload.length : 0}\r\n\r\n`;
    socket.write(payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : head);
  });
}

/** One request to the Runtime API; requests are sent one after the other. */
export function call(method, path, body, headers = {}) {
  const result = queue.then(() => send(method, path, body, headers));
  queue = result.catch(() => {});
  return result;
}

/** A request to the Runtime API whose body is written as the caller goes (streamed responses). */
export function openPost(path, headers) {
  let done;
  const finished = new Promise((resolve, reject) => { done = { resolve, reject }; });
  const req = http.request({ host: HOST, port: PORT, method: 'POST', path: BASE + path, agent, headers },
    (res) => { res.resume(); res.on('end', () => done.resolve(res.statusCode)); });
  req.on('error', (error) => done.reject(error));
  return { req, finished };
}
