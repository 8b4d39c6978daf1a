// A module resolution hook (registered with module.register): an ES module's bare import that
// Node cannot resolve from the importing file is looked up in the NODE_PATH folders too (the
// layers' node_modules, the runtime's SDK), as AWS's runtime makes `import ... from
// "@aws-sdk/client-s3"` work from an .mjs handler that does not bundle the SDK.
// Hooks run on their own thread, registered when node starts (a spare process registers them
// before it knows its function): the NODE_PATH to use is read from a buffer the runtime shares.
import { pathToFileURL } from 'node:url';

let shared = null;

export function initialize(data) {
  shared = (data && data.shared) || null;
}

function folders() {
  if (!shared) return [];
  const length = Atomics.load(new Int32Array(shared, 0, 1), 0);
  const text = Buffer.from(new Uint8Array(shared, 4, length)).toString('utf8');
  return text.split(':').filter((folder) => folder.endsWith('node_modules'));
}

const bare = (specifier) => !/^(\.|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!bare(specifier) || error.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    for (const folder of folders()) {
      try {
        const parentURL = pathToFileURL(`${folder}/__overcast__.mjs`).href;
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // not in this folder
      }
    }
    throw error;
  }
}
