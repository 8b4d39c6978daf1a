// The Runtime API over one keep-alive connection (plain node:http; nothing to install).
import http from 'node:http';

const [HOST, PORT] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const BASE = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true });

export function call(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port: PORT, method, path: BASE + path, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
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

