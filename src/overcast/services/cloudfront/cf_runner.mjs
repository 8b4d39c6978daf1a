// Runs one CloudFront Function (cloudfront-js-2.0) invocation: reads {code, event, kvs} as JSON on
// stdin, evaluates the code in a fresh V8 context, calls handler(event) and writes
// {ok: true, result, logs} or {ok: false, error, logs} as JSON on stdout.
// `import cf from 'cloudfront'` gives the KeyValueStore helper `cf.kvs()` over the data passed in.
import vm from 'node:vm';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const logs = [];

function kvs(id) {
  const stores = input.kvs || {};
  const data = (id && stores[id]) || Object.values(stores)[0] || {};
  return {
    async get(key, options) {
      if (!(key in data)) throw new Error(`KeyNotFound: ${key}`);
      const value = data[key];
      return options && options.format === 'json' ? JSON.parse(value) : value;
    },
    async exists(key) { return key in data; },
    async meta() { return { creationDateTime: '', lastUpdatedDateTime: '', keyCount: Object.keys(data).length }; },
  };
}

const cf = { kvs };
const source = input.code
  .replace(/^\s*import\s+(\w+)\s+from\s+['"]cloudfront['"]\s*;?/m, 'const $1 = __cloudfront;')
  .replace(/^\s*export\s+default\s+/m, '');
const context = vm.createContext({
  __cloudfront: cf,
  console: { log: (...a) => logs.push(a.join(' ')) },
  Buffer, TextEncoder, TextDecoder, URL, URLSearchParams,
});
try {
  const handler = vm.runInContext(`${source}\n;typeof handler === 'function' ? handler : undefined`, context,
    { timeout: 1000 });
  if (typeof handler !== 'function') throw new Error('The function code does not define handler(event)');
  const result = await handler(input.event);
  process.stdout.write(JSON.stringify({ ok: true, result: result === undefined ? null : result, logs }));
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.message || err), logs }));
}
