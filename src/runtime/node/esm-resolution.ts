/**
 * Lets plain Node (and tsx) load tfjs-core's ES build, which `src/runtime/gradients.ts` imports
 * for the gradient definitions. Call `enableTfjsEsmResolution()` before the first import of
 * anything under `src/runtime` that registers gradients, e.g. at the top of the CLI entry:
 *
 *   enableTfjsEsmResolution();
 *   await import('./cli/main.js');
 *
 * Vitest and browser bundlers resolve those imports themselves and do not need it.
 */
import { register } from 'node:module';

const REGISTERED = Symbol.for('segc.tfjsEsmResolution');

export function enableTfjsEsmResolution(): void {
  const registry = globalThis as Record<symbol, unknown>;
  if (registry[REGISTERED]) return;
  register(new URL('./tfjs-resolve-hook.js', import.meta.url));
  registry[REGISTERED] = true;
}
