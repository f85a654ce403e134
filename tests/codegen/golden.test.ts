/**
 * Every example's generated module is committed under golden/ and compared byte for byte, so a
 * change to code generation shows up as a reviewed diff. `UPDATE_GOLDEN=1` rewrites them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, GOLDEN, generateExample, importsOf, typeCheck } from './helpers.js';

const update = process.env.UPDATE_GOLDEN === '1';

describe('generated modules of the examples', () => {
  const generated = new Map<string, string>();
  const moduleOf = (stem: string) => {
    if (!generated.has(stem)) generated.set(stem, generateExample(stem));
    return generated.get(stem)!;
  };

  it.each(EXAMPLES)('%s matches its golden file', (stem) => {
    const path = join(GOLDEN, `${stem}.ts`);
    const text = moduleOf(stem);
    if (update) writeFileSync(path, text);
    expect(existsSync(path), `${path} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text).toBe(readFileSync(path, 'utf8'));
  });

  it.each(EXAMPLES)('%s is generated identically twice', (stem) => {
    expect(generateExample(stem)).toBe(moduleOf(stem));
  });

  it('all compile under tsc --strict with no unused locals', () => {
    const files = Object.fromEntries(EXAMPLES.map((stem) => [`${stem}.ts`, moduleOf(stem)]));
    expect(typeCheck(files)).toEqual([]);
  });

  it('import @tensorflow/tfjs-core, and segc/runtime exactly when a gradCam falls back to tf.grad', () => {
    for (const stem of EXAMPLES) {
      const text = moduleOf(stem);
      // The fallback (grad-cam.ts) is the only place a module differentiates with tfjs.
      const fallback = /tf\.grad\(/.test(text);
      if (fallback) expect(text, stem).toContain('    gradCam(inputs: ');
      expect(text, stem).not.toMatch(/tf\.(grads|valueAndGrad)\(/);
      expect(importsOf(text), stem).toEqual(
        fallback ? ['@tensorflow/tfjs-core', 'segc/runtime'] : ['@tensorflow/tfjs-core'],
      );
    }
  });
});
