/**
 * Builds the Vite example into examples/embed/browser/dist: the module from `segc build` of
 * examples/gap_cam.seg (as `npx segc build examples/gap_cam.seg -o generated` would write it),
 * the Vite bundle, GapCam's trained weights and a test image.
 *
 *   npx tsx examples/embed/browser/build.ts      then serve dist/ over HTTP
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import { main } from '../../../src/cli/main.js';

const HERE = import.meta.dirname;
const REPOSITORY = join(HERE, '..', '..', '..');
export const EMBED_DIST = join(HERE, 'dist');

export async function buildEmbedExample(): Promise<string> {
  await rm(join(HERE, 'generated'), { recursive: true, force: true });
  const silent = { out: () => {}, err: (text: string) => void process.stderr.write(`${text}\n`) };
  const code = await main(
    ['build', join(REPOSITORY, 'examples', 'gap_cam.seg'), '-o', join(HERE, 'generated')],
    silent,
  );
  if (code !== 0) throw new Error(`segc build exited ${code}`);
  await build({ configFile: join(HERE, 'vite.config.ts') });
  await mkdir(join(EMBED_DIST, 'weights'), { recursive: true });
  await cp(join(REPOSITORY, 'weights', 'gap_cam'), join(EMBED_DIST, 'weights', 'gap_cam'), { recursive: true });
  await cp(join(REPOSITORY, 'examples', 'images', 'digit-7.png'), join(EMBED_DIST, 'digit-7.png'));
  return EMBED_DIST;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`built ${await buildEmbedExample()}\n`);
}
