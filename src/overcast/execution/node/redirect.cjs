// Preloaded (`node --require`) into every Node.js environment: requests to AWS hosts go to
// overcast instead, whatever the SDK. Recent SDKs read AWS_ENDPOINT_URL; older ones (SDK v2, v3
// before it supported that variable, a client given an explicit https://<service>.<region>.amazonaws.com
// endpoint) call AWS's own hostnames. Those requests are sent, over plain HTTP, to the endpoint
// in AWS_ENDPOINT_URL with their Host header kept, so host-based routing (S3 virtual-hosted
// buckets) still works. Anything else that would resolve an AWS hostname (fetch, raw TLS) resolves
// it to the loopback address, so it fails locally rather than reaching AWS.
'use strict';
const http = require('node:http');
const https = require('node:https');
const dns = require('node:dns');
const { syncBuiltinESMExports } = require('node:module');

const AWS_HOST = /(^|\.)(amazonaws\.com|amazonaws\.com\.cn|api\.aws|on\.aws)\.?$/i;
const plainAgent = new http.Agent({ keepAlive: true });

function isAws(host) {
  return typeof host === 'string' && AWS_HOST.test(host.replace(/:\d+$/, ''));
}

function normalize(args) {
  let [first, second, third] = args;
  let options;
  if (typeof first === 'string' || first instanceof URL) {
    const url = new URL(first);
    const extra = typeof second === 'object' && second !== null ? second : {};
    options = { protocol: url.protocol, hostname: url.hostname, port: url.port,
      path: url.pathname + url.search, ...extra };
    if (typeof second === 'function') third = second;
  } else {
    options = { ...(first || {}) };
    third = second;
  }
  return { options, callback: typeof third === 'function' ? third : undefined };
}

function redirected(options) {
  const host = options.hostname || (options.host || '').replace(/:\d+$/, '');
  if (!isAws(host)) return null;
  const headers = { ...(options.headers || {}) };
  const hasHost = Object.keys(headers).some((name) => name.toLowerCase() === 'host');
  if (!hasHost) headers.host = options.port && ![80, 443, '80', '443'].includes(options.port)
    ? `${host}:${options.port}` : host;
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL || 'http://127.0.0.1:4566');
  const { servername, ca, cert, key, rejectUnauthorized, ...rest } = options;
  return { ...rest, protocol: 'http:', hostname: endpoint.hostname, host: endpoint.hostname,
    port: endpoint.port || 80, headers, agent: plainAgent };
}

function wrap(original) {
  return function request(...args) {
    const { options, callback } = normalize(args);
    const target = redirected(options);
    if (!target) return original.apply(this, args);
    return originalHttpRequest(target, callback);
  };
}

const originalHttpRequest = http.request;
for (const module of [http, https]) {
  const request = wrap(module.request);
  module.request = request;
  module.get = function get(...args) {
    const req = request(...args);
    req.end();
    return req;
  };
}

const originalLookup = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  if (!isAws(hostname)) return originalLookup.call(this, hostname, options, callback);
  const done = typeof options === 'function' ? options : callback;
  if (options && typeof options === 'object' && options.all) {
    process.nextTick(done, null, [{ address: '127.0.0.1', family: 4 }]);
  } else {
    process.nextTick(done, null, '127.0.0.1', 4);
  }
  return {};
};
syncBuiltinESMExports();
