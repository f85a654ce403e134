/**
 * A Node module-resolution hook, loaded with `module.register`. tfjs-core publishes its full ES
 * build (the only build that carries the gradient definitions) with extensionless relative
 * imports (`import './engine'`), which bundlers accept and Node's ES loader rejects. This hook
 * retries such imports with `.js` and then `/index.js`, and only for files inside
 * `@tensorflow/` packages, so nothing else changes meaning.
 */

interface ResolveContext {
  readonly parentURL?: string;
}

interface ResolveResult {
  readonly url: string;
}

type NextResolve = (specifier: string, context: ResolveContext) => Promise<ResolveResult>;

const RETRIED_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_UNSUPPORTED_DIR_IMPORT']);

function needsExtension(specifier: string, parentURL: string | undefined): boolean {
  const relative = specifier.startsWith('./') || specifier.startsWith('../');
  const insideTensorflow = parentURL?.includes('/node_modules/@tensorflow/') ?? false;
  return relative && insideTensorflow && !/\.(m?js|json)$/.test(specifier);
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  try {
    return await next(specifier, context);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!code || !RETRIED_CODES.has(code) || !needsExtension(specifier, context.parentURL)) throw error;
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}
