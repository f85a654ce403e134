/**
 * What the GPU kit measures. `full` is the plan of issue 22 (DeepLabv3+ at 513 and 1025,
 * ResNet-50 at 224, batch 1 and 8, forward and Grad-CAM). `tiny` is the rehearsal that runs in CI
 * on SwiftShader: the small DeepLabv3+ at 64×64 (the agreement check's size, so WebGPU's
 * pipelines compiled there serve it too), since SwiftShader needs about 20 s for one
 * forward run of the full DeepLabv3+ even at 33×33 on a 2-core machine, and ResNet-50's input is
 * fixed at 224×224.
 */
export type Task = 'forward' | 'gradcam';
export type PlanName = 'full' | 'tiny';

export interface Case {
  /** Stable name used in the report, e.g. `deeplabv3plus 513x513 b8 gradcam`. */
  readonly id: string;
  /** Path of the `.seg` file, relative to the kit (or repository) root. */
  readonly file: string;
  readonly height: number;
  readonly width: number;
  readonly batch: number;
  readonly task: Task;
}

interface ModelSizes {
  readonly name: string;
  readonly file: string;
  readonly sizes: readonly (readonly [number, number])[];
}

const FULL: readonly ModelSizes[] = [
  { name: 'resnet50', file: 'examples/resnet50.seg', sizes: [[224, 224]] },
  {
    name: 'deeplabv3plus',
    file: 'examples/deeplabv3plus.seg',
    sizes: [
      [513, 513],
      [1025, 1025],
    ],
  },
];

const TINY: readonly ModelSizes[] = [
  { name: 'deeplabv3plus_small', file: 'examples/deeplabv3plus_small.seg', sizes: [[64, 64]] },
];

function casesOf(models: readonly ModelSizes[], batches: readonly number[]): Case[] {
  const tasks: readonly Task[] = ['forward', 'gradcam'];
  return models.flatMap(({ name, file, sizes }) =>
    sizes.flatMap(([height, width]) =>
      batches.flatMap((batch) =>
        tasks.map((task) => ({ id: `${name} ${height}x${width} b${batch} ${task}`, file, height, width, batch, task })),
      ),
    ),
  );
}

export function planCases(plan: PlanName): Case[] {
  return plan === 'full' ? casesOf(FULL, [1, 8]) : casesOf(TINY, [1, 2]);
}

/**
 * The agreement check: the small DeepLabv3+ with its trained weights on a bundled image. Every
 * backend writes its logits; the report compares them, so fast GPU figures come with evidence
 * that the GPU computed the same segmentation.
 */
export const AGREEMENT = {
  file: 'examples/deeplabv3plus_small.seg',
  weights: 'weights/deeplabv3plus_small',
  image: 'examples/images/shapes-a.png',
} as const;
