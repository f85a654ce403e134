/**
 * Builds the playground into a folder: the page, its bundle, the language worker (the compiler
 * and the standard library), Monaco's AMD build copied from node_modules, and what running a
 * model needs: tfjs's wasm binaries, the bundled examples with their trained weights (checked
 * against each model, in `models/NAME/weights/`) and their images, listed in `catalog.json`.
 *
 *   npm run playground                            build into examples/playground/dist and serve on 127.0.0.1
 *   npx tsx examples/playground/build.ts [OUT]    build only (default examples/playground/dist)
 */
import { cpSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyWasmBinaries, prepareWeights, WEIGHTS_DIRECTORY } from '../web/assets.js';
import { bundlePage, PROJECT_ROOT } from '../web/bundle.js';
import { serveDirectory } from '../web/serve.js';
import type { CatalogEntry } from './runner.js';

const PLAYGROUND = dirname(fileURLToPath(import.meta.url));
/** The file the editor opens with. */
export const START_FILE = 'examples/gap_cam.seg';

/** The examples the page can open and run with trained weights, which `weights/NAME` holds after training. */
export const RUNNABLE_EXAMPLES = ['examples/gap_cam.seg', 'examples/acol.seg', 'examples/deeplabv3plus_small.seg'];
const IMAGES = join(PROJECT_ROOT, 'examples', 'images');

interface Truth {
  readonly model: string;
  readonly label?: number;
  readonly classes?: string[];
}

/**
 * The names of the classes a model predicts, from `classes.json` beside its weights as `segc run`
 * reads it: a list of names, or `{ classes, maskClasses }` (the mask's names for a segmenter).
 */
function classNames(weights: string): { classes: string[]; maskClasses: string[] } | undefined {
  const file = join(weights, 'classes.json');
  if (!existsSync(file)) return undefined;
  const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const isNames = (v: unknown): v is string[] => Array.isArray(v) && v.every((n) => typeof n === 'string');
  if (isNames(value)) return { classes: value, maskClasses: value };
  const { classes, maskClasses } = (value ?? {}) as { classes?: unknown; maskClasses?: unknown };
  if (isNames(classes)) return { classes, maskClasses: isNames(maskClasses) ? maskClasses : classes };
  throw new Error(`${file} is not a list of class names or { "classes": [...], "maskClasses": [...] }`);
}

/** Each runnable example with its weights (when trained) and the images of examples/images/truth.json made for it. */
async function writeCatalog(out: string): Promise<CatalogEntry[]> {
  const truth = JSON.parse(readFileSync(join(IMAGES, 'truth.json'), 'utf8')) as Record<string, Truth>;
  mkdirSync(join(out, 'images'), { recursive: true });
  const catalog: CatalogEntry[] = [];
  for (const file of RUNNABLE_EXAMPLES) {
    const name = basename(file, '.seg');
    const trained = join(PROJECT_ROOT, 'weights', name);
    const hasWeights = existsSync(join(trained, 'model.json'));
    if (hasWeights) await prepareWeights(join(out, 'models', name), file, { directory: trained });
    const images = Object.entries(truth).filter(([, t]) => t.model === name);
    for (const [image] of images) copyFileSync(join(IMAGES, image), join(out, 'images', image));
    const fromTruth = images.find(([, t]) => t.classes)?.[1].classes;
    const names = classNames(trained) ?? (fromTruth && { classes: fromTruth, maskClasses: fromTruth });
    catalog.push({
      file,
      text: readFileSync(join(PROJECT_ROOT, file), 'utf8'),
      ...(hasWeights ? { weights: `models/${name}/${WEIGHTS_DIRECTORY}/` } : {}),
      ...(names ?? {}),
      images: images.map(([image, t]) => ({
        url: `images/${image}`,
        ...(t.label === undefined ? {} : { label: t.label }),
      })),
    });
  }
  writeFileSync(join(out, 'catalog.json'), `${JSON.stringify(catalog)}\n`);
  return catalog;
}

export async function buildPlayground(out: string): Promise<string> {
  mkdirSync(out, { recursive: true });
  copyFileSync(join(PLAYGROUND, 'index.html'), join(out, 'index.html'));
  cpSync(join(PROJECT_ROOT, 'node_modules', 'monaco-editor', 'min', 'vs'), join(out, 'vs'), { recursive: true });
  for (const name of ['main', 'worker']) {
    await bundlePage({
      entryPoint: join(PLAYGROUND, `${name}.ts`),
      outFile: join(out, `${name}.js`),
      modelFile: START_FILE,
    });
  }
  await copyWasmBinaries(out);
  await writeCatalog(out);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const serve = process.argv.includes('--serve');
  const folder = process.argv.slice(2).find((a) => a !== '--serve');
  const out = await buildPlayground(resolve(folder ?? join(PLAYGROUND, 'dist')));
  console.log(`built ${out}`);
  if (serve) console.log(`serving the playground at ${(await serveDirectory(out)).url} (Ctrl-C stops)`);
}
