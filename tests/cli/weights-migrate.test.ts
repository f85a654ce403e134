/**
 * `segc weights migrate` end to end: the bundled GapCam weights fail to load into a copy of
 * the model with two `let`s renamed (E0412, naming the migration command); migrating them
 * gives a folder under which the renamed model runs to the same bytes as the original; layers
 * that cannot be paired (E0413) are paired with --map. Also the same diagnostic and
 * `migrateWeights` through segc/node.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { loadModel, loadWeights, migrateWeights, saveWeights } from '../../src/node/index.js';
import { weightDeclarations } from '../../src/runtime/model.js';
import { segc } from '../helpers/cli.js';
import { withoutLeaks } from '../runtime/helpers.js';

const work = mkdtempSync(join(tmpdir(), 'segc-weights-migrate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const IMAGE = 'examples/images/digit-3.png';
const OLD_WEIGHTS = 'weights/gap_cam';

/** examples/gap_cam.seg with `let features` → `trunk` and `let logits` → `scores`. */
function renamedGapCam(): string {
  const source = readFileSync('examples/gap_cam.seg', 'utf8')
    .replace('let features = image', 'let trunk = image')
    .replace('let logits = GapHead(features, classes)', 'let scores = GapHead(trunk, classes)')
    .replace('output logits = logits', 'output logits = scores')
    .replace('softmax(logits)', 'softmax(scores)');
  expect(source).toContain('GapHead(trunk, classes)');
  expect(source).not.toMatch(/let features|let logits|softmax\(logits\)/);
  const path = join(work, 'gap_renamed.seg');
  writeFileSync(path, source);
  return path;
}

async function runNpy(model: string, weights: string, out: string): Promise<Buffer[]> {
  const result = await segc(
    'run',
    model,
    '--weights',
    weights,
    '--image',
    IMAGE,
    '--out',
    out,
    '--backend',
    'cpu',
    '--format',
    'npy',
  );
  expect(result.err).not.toContain('error');
  expect(result.code).toBe(0);
  return ['digit-3.logits.npy', 'digit-3.probabilities.npy'].map((name) => readFileSync(join(out, name)));
}

describe('segc weights migrate', () => {
  const model = renamedGapCam();
  const migrated = join(work, 'gap-new');

  it('refuses the old weights for the renamed model, listing the moved layers and the command', async () => {
    const result = await segc(
      'run',
      model,
      '--weights',
      OLD_WEIGHTS,
      '--image',
      IMAGE,
      '--out',
      join(work, 'x'),
      '--backend',
      'cpu',
    );
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'weights/gap_cam/model.json:1:1: error E0412: 9 layers of weights/gap_cam/model.json are saved under names the model no longer uses',
    );
    expect(result.err).toContain(
      '  renamed: features/bn_1 → trunk/bn_1 (beta [16], gamma [16], movingMean [16], movingVariance [16])',
    );
    expect(result.err).toContain(
      '  renamed: logits/gap_head/dense → scores/gap_head/dense (bias [10], kernel [64,10])',
    );
    expect(result.err).toContain(`segc weights migrate ${model} --weights weights/gap_cam -o weights/gap_cam-renamed`);
    expect(result.err).not.toMatch(/E0402|E0403|\n\s+at /);
  });

  it('shows the mapping with --dry-run and writes nothing', async () => {
    const result = await segc('weights', 'migrate', model, '--weights', OLD_WEIGHTS, '-o', migrated, '--dry-run');
    expect(result.code).toBe(0);
    expect(result.out.split('\n').filter((line) => line.startsWith('renamed: '))).toHaveLength(9);
    expect(result.out).toContain('renamed: features/conv → trunk/conv (kernel [3,3,1,16])');
    expect(result.out).toContain('dry run: 9 layer(s) would move; nothing written');
    expect(existsSync(migrated)).toBe(false);
  });

  it('migrates, and the renamed model gives the same outputs as the original', async () => {
    const result = await segc('weights', 'migrate', model, '--weights', OLD_WEIGHTS, '-o', migrated, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report.written).toBe(migrated);
    expect(report.renames[8]).toEqual({
      from: 'logits/gap_head/dense',
      to: 'scores/gap_head/dense',
      weights: [
        { role: 'bias', shape: [10] },
        { role: 'kernel', shape: [64, 10] },
      ],
    });
    const json = JSON.parse(readFileSync(join(migrated, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain('trunk/bn_3/movingVariance');
    expect(json.segc.layers[0]).toBe('trunk/conv');
    expect(json.generatedBy).toBe('segc weights migrate');
    const before = await runNpy('examples/gap_cam.seg', OLD_WEIGHTS, join(work, 'out-old'));
    const after = await runNpy(model, migrated, join(work, 'out-new'));
    expect(after[0]!.byteLength).toBeGreaterThan(128);
    expect(after).toEqual(before);
    const again = await segc('weights', 'migrate', model, '--weights', migrated, '-o', join(work, 'unused'));
    expect(again.out).toContain('already uses the names');
    expect(existsSync(join(work, 'unused'))).toBe(false);
  });

  it('gives usage errors for a missing action or option and a malformed --map', async () => {
    expect((await segc('weights')).code).toBe(2);
    expect((await segc('weights', 'migrate', model, '-o', join(work, 'y'))).err).toContain(
      'weights migrate needs --weights',
    );
    const bad = await segc(
      'weights',
      'migrate',
      model,
      '--weights',
      OLD_WEIGHTS,
      '-o',
      join(work, 'y'),
      '--map',
      'trunk',
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--map takes OLD=NEW layer names');
  });

  it('refuses to migrate a folder onto itself', async () => {
    const result = await segc('weights', 'migrate', model, '--weights', OLD_WEIGHTS, '-o', OLD_WEIGHTS);
    expect(result.code).toBe(1);
    expect(result.err).toContain('error E0410: will not migrate weights/gap_cam onto itself');
  });
});

describe('a model with repeated block structure', () => {
  it('pairs the ASPP branches of DeepLabV3PlusSmall under renamed lets, and moves classes.json', async () => {
    const source = readFileSync('examples/deeplabv3plus_small.seg', 'utf8')
      .replace('let high = stem', 'let deep = stem')
      .replace('let encoded = ASPP(high,', 'let context = ASPP(deep,')
      .replace('DeepLabV3PlusDecoder(encoded,', 'DeepLabV3PlusDecoder(context,');
    const model = join(work, 'deeplab_renamed.seg');
    writeFileSync(model, source);
    const target = join(work, 'deeplab-new');
    const result = await segc('weights', 'migrate', model, '--weights', 'weights/deeplabv3plus_small', '-o', target);
    expect(result.code, result.err).toBe(0);
    const lines = result.out.split('\n').filter((line) => line.startsWith('renamed: '));
    expect(lines).toContain(
      'renamed: encoded/aspp/branches/2/conv → context/aspp/branches/2/conv (kernel [3,3,64,32])',
    );
    expect(lines.filter((line) => line.startsWith('renamed: high/')).length).toBeGreaterThan(0);
    expect(lines.every((line) => /^renamed: (high\/\S* → deep|encoded\/\S* → context)\//.test(line))).toBe(true);
    expect(readFileSync(join(target, 'classes.json'))).toEqual(
      readFileSync('weights/deeplabv3plus_small/classes.json'),
    );
    const check = await loadModel(model, { weights: target });
    check.model.dispose();
  });
});

describe('layers that cannot be paired by structure', () => {
  const before =
    'model Two() {\n  input x: f32[N, 8, 8, 3]\n  let a = x -> conv(4, 3, bias: false)\n  let p = a -> bn\n  let q = p -> bn\n  output y = q\n}\n';
  const after = before
    .replace('let p = a', 'let r = a')
    .replace('let q = p', 'let s = r')
    .replace('output y = q', 'output y = s');
  const oldModel = join(work, 'two.seg');
  const newModel = join(work, 'two_renamed.seg');
  const oldWeights = join(work, 'two-weights');
  writeFileSync(oldModel, before);
  writeFileSync(newModel, after);

  it('reports E0413 and pairs them with --map, giving the same outputs', async () => {
    const { model } = await loadModel(oldModel, { seed: 3 });
    // Distinct statistics per layer, so that swapping the two layers would change the output.
    const weights = new Map<string, tf.Tensor>(model.weights);
    weights.set('q/bn/movingMean', tf.fill([4], 0.5));
    weights.set('q/bn/gamma', tf.fill([4], 2));
    await saveWeights(oldWeights, weights, { model: 'Two' });
    tf.dispose([weights.get('q/bn/movingMean')!, weights.get('q/bn/gamma')!]);
    model.dispose();

    const refused = await segc('weights', 'migrate', newModel, '--weights', oldWeights, '-o', join(work, 'two-new'));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      'error E0413: layers of ' +
        join(oldWeights, 'model.json') +
        ' and of the model have the same structure (beta [4], gamma [4], movingMean [4], movingVariance [4]) and nothing tells which is which:',
    );
    expect(refused.err).toContain('  in the file: p/bn, q/bn\n  in the model: r/bn, s/bn');
    expect(existsSync(join(work, 'two-new'))).toBe(false);

    const unknown = await segc(
      'weights',
      'migrate',
      newModel,
      '--weights',
      oldWeights,
      '-o',
      join(work, 'two-new'),
      '--map',
      'p/bnn=r/bn',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('--map p/bnn=r/bn: `p/bnn` is not a layer of');

    const mismatched = await segc(
      'weights',
      'migrate',
      newModel,
      '--weights',
      oldWeights,
      '-o',
      join(work, 'two-new'),
      '--map',
      'p/bn=a/conv',
    );
    expect(mismatched.code).toBe(1);
    expect(mismatched.err).toContain(
      '--map p/bn=a/conv: the layers differ: `p/bn` has beta [4], gamma [4], movingMean [4], movingVariance [4], `a/conv` has kernel [3,3,3,4]',
    );

    const paired = await segc(
      'weights',
      'migrate',
      newModel,
      '--weights',
      oldWeights,
      '-o',
      join(work, 'two-new'),
      '--map',
      'p/bn=r/bn',
      '--map',
      'q/bn=s/bn',
    );
    expect(paired.code).toBe(0);
    expect(paired.out).toContain('renamed: q/bn → s/bn (beta [4], gamma [4], movingMean [4], movingVariance [4])');
    const run = async (file: string, w: string, out: string) => {
      const result = await segc(
        'run',
        file,
        '--weights',
        w,
        '--image',
        IMAGE,
        '--out',
        out,
        '--backend',
        'cpu',
        '--format',
        'npy',
        '--input',
        '8,8',
      );
      expect(result.code, result.err).toBe(0);
      return readFileSync(join(out, 'digit-3.y.npy'));
    };
    expect(await run(newModel, join(work, 'two-new'), join(work, 'two-out-new'))).toEqual(
      await run(oldModel, oldWeights, join(work, 'two-out-old')),
    );
  });
});

describe('segc/node', () => {
  it('loadWeights reports E0412 and migrateWeights writes weights that load', async () => {
    const model = renamedGapCam();
    const { compiled } = await loadModel(model);
    const graph = compiled.graph!;
    const expected = weightDeclarations(graph).map(({ name, shape, dtype, declaredAt }) => ({
      name,
      shape,
      dtype,
      declaredAt,
    }));
    const error = await loadWeights(OLD_WEIGHTS, expected).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiagnosticError);
    expect((error as DiagnosticError).diagnostics.map((d) => d.code)).toEqual(['E0412']);
    const target = join(work, 'api-new');
    await withoutLeaks(async () => {
      const result = await migrateWeights(OLD_WEIGHTS, target, graph);
      expect(result.written).toBe(true);
      expect(result.renames.map((r) => r.to)).toContain('scores/gap_head/dense');
    });
    const loaded = await loadModel(model, { weights: target });
    expect(loaded.model.weights.get('scores/gap_head/dense/bias')!.shape).toEqual([10]);
    loaded.model.dispose();
  });
});
