// Handler resolution as AWS's Node.js runtime does it: `[dir/]file.export[.nested]` under the task
// root; an extensionless file or `.js` is required (CommonJS) unless the nearest package.json says
// "type": "module", then `.js` (ES module), `.mjs` and `.cjs` are tried in that order, and finally
// a module resolvable from the task root.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { handlerNotFound, importModuleError, malformedHandler, syntaxError } from './errors.mjs';

const require = createRequire(import.meta.url);
const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

function hasTypeModule(file) {
  let dir = path.dirname(file);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

const isFile = (file) => fs.existsSync(file) && fs.statSync(file).isFile();
const tryRequire = (file, ext = '') => (isFile(file + ext) ? require(file + ext) : undefined);
const tryImport = async (file, ext) => (
  isFile(file + ext) ? import(pathToFileURL(file + ext).href) : undefined);

async function loadModule(appRoot, moduleRoot, module) {
  const base = path.resolve(appRoot, moduleRoot, module);
  const extensionless = tryRequire(base);
  if (extensionless) return extensionless;
  const typeModule = hasTypeModule(base);
  if (!typeModule) {
    const loaded = tryRequire(base, '.js');
    if (loaded) return loaded;
  }
  const loaded = (typeModule && await tryImport(base, '.js')) || await tryImport(base, '.mjs')
    || tryRequire(base, '.cjs');
  if (loaded) return loaded;
  const resolved = require.resolve(module, { paths: [appRoot, path.join(appRoot, moduleRoot)] });
  return require(resolved);
}

function resolveNested(object, nested) {
  return nested.split('.').reduce((value, key) => (value == null ? undefined : value[key]), object);
}

/** The handler function named by `fullHandler`, or a Runtime.* error thrown as AWS names it. */
export async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) throw malformedHandler(`'${fullHandler}' is not a valid handler name. `
    + "Use absolute paths when specifying root directories in handler names.");
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = handlerString.match(FUNCTION_EXPR);
  if (!match) throw malformedHandler('Bad handler');
  const [, module, nested] = match;
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, module);
  } catch (error) {
    if (error instanceof SyntaxError) throw syntaxError(error);
    if (error && (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND')) {
      throw importModuleError(error);
    }
    throw error;
  }
  const handler = resolveNested(app, nested);
  if (handler === undefined || handler === null) {
    throw handlerNotFound(`${fullHandler} is undefined or not exported`);
  }
  if (typeof handler !== 'function') throw handlerNotFound(`${fullHandler} is not a function`);
  return handler;
}
