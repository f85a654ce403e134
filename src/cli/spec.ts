/**
 * Every command of `segc`, its arguments and its options with their descriptions and defaults,
 * and where its implementation lives. This file and `main.ts` are all that `segc --help` loads:
 * a command's module (and the compiler or tfjs behind it) is imported only when it runs.
 */
import type { Io } from './io.js';
import type { Parsed } from './args.js';

export type CommandRun = (parsed: Parsed, io: Io) => number | Promise<number>;

export interface OptionDef {
  /** Commander flags, e.g. `-o, --output <file>` or `--json`. */
  readonly flags: string;
  readonly description: string;
  /** The value used when the option is absent; shown in the help. */
  readonly fallback?: string;
  /** May be given more than once; the values are collected in order. */
  readonly repeat?: boolean;
}

export interface CommandDef {
  readonly name: string;
  readonly summary: string;
  /** Commander argument syntax (`<file>`, `<files...>`) and what it names in usage errors. */
  readonly argument?: { readonly syntax: string; readonly description: string; readonly missing: string };
  readonly options: readonly OptionDef[];
  readonly load: () => Promise<CommandRun>;
  readonly subcommands?: readonly CommandDef[];
  readonly examples?: readonly string[];
}

const JSON_OUTPUT: OptionDef = {
  flags: '--json',
  description: 'print a JSON report on stdout instead of text (for tools)',
};
const MODEL: OptionDef = { flags: '--model <name>', description: 'the model to use when the file declares several' };
const PARAM: OptionDef = {
  flags: '--param <name=value>',
  description: 'set a model parameter (JSON for lists and strings: rates=[6,12,18])',
  repeat: true,
};
const INPUT: OptionDef = {
  flags: '--input <h,w>',
  description: 'a fixed input size for the symbolic sizes H and W (e.g. 513,513)',
};
const COMPILE = [MODEL, PARAM, INPUT];
const depth = (fallback: string): OptionDef => ({
  flags: '--depth <n>',
  description: `how deep block calls are expanded: a whole number or \`all\`; deeper calls are one row or node (default: ${fallback})`,
});
const EXPAND: OptionDef = { flags: '--expand', description: 'expand every block call (the same as --depth all)' };
const WEIGHTS: OptionDef = {
  flags: '--weights <dir>',
  description: 'trained weights: a folder with model.json (default: seeded random weights, announced as such)',
};
const SEED: OptionDef = {
  flags: '--seed <n>',
  description: 'seed of the random weights used without --weights',
  fallback: '0',
};
const RUN_BACKEND: OptionDef = {
  flags: '--backend <name>',
  description:
    'auto, webgpu, wasm, cpu, or onnx (ONNX Runtime through the optional onnxruntime-node; auto: a hardware WebGPU adapter, else wasm)',
  fallback: 'auto',
};
const backend = (fallback: string): OptionDef => ({
  flags: '--backend <name>',
  description: 'auto, webgpu, wasm or cpu (auto: a hardware WebGPU adapter, else wasm)',
  fallback,
});
const IMAGE: OptionDef = {
  flags: '--image <file>',
  description: 'an input image, PNG or JPEG (this or --input FILE.npy)',
  repeat: true,
};
/** `run` and `explain` take exact tensors as well as the size (see `tensor-inputs.ts`). */
const TENSOR_INPUT: OptionDef = {
  flags: '--input <file.npy|name=file.npy|h,w>',
  description:
    'an exact input tensor from a .npy file ([H, W, C] or [N, H, W, C]), for a named input with NAME=FILE.npy; or a fixed input size H,W',
  repeat: true,
};
const RUN_COMPILE = [MODEL, PARAM, TENSOR_INPUT];
const OUT_DIR: OptionDef = {
  flags: '--out <dir>',
  description: 'the folder the output files are written to, created if needed (required)',
};
const OUTPUT_FILE: OptionDef = { flags: '-o, --output <file>', description: 'write to this file instead of stdout' };
const ONE_FILE = { syntax: '<file>', description: 'a .seg file', missing: 'a .seg file' };
const ONE_MODEL = { syntax: '<model>', description: 'a .seg file declaring the model', missing: 'a .seg file' };

const lazy =
  <T>(load: () => Promise<T>, pick: (module: T) => CommandRun) =>
  async () =>
    pick(await load());

const DATA_GENERATORS: readonly CommandDef[] = (['shapes', 'mnist-canvas', 'mnist'] as const).map((kind) => ({
  name: kind,
  summary: {
    shapes: 'circles, squares and triangles on textured backgrounds, with exact masks and boxes',
    'mnist-canvas': 'MNIST digits scaled and placed on a noisy canvas, with masks and boxes',
    mnist: 'the 28×28 MNIST digits in class folders',
  }[kind],
  options: [
    { flags: '--out <dir>', description: 'the data set folder to write (refused if it exists, unless --overwrite)' },
    {
      flags: '--count <n>',
      description: 'images over all splits',
      fallback: { shapes: '300', 'mnist-canvas': '1000', mnist: '2000' }[kind],
    },
    ...(kind === 'mnist'
      ? []
      : [{ flags: '--size <n>', description: 'side of the square image in pixels', fallback: '64' }]),
    { flags: '--seed <n>', description: 'the generator seed (an unsigned 32-bit integer)', fallback: '0' },
    { flags: '--overwrite', description: 'replace an existing output folder once the new one is complete' },
  ],
  load: lazy(
    () => import('./commands/data.js'),
    (m) => (parsed, io) => m.generate(kind, parsed, io),
  ),
}));

export const COMMANDS: readonly CommandDef[] = [
  {
    name: 'check',
    summary: 'parse, resolve names and check shapes; exit 1 on errors',
    argument: { syntax: '<files...>', description: '.seg files', missing: 'a .seg file' },
    options: [...COMPILE, JSON_OUTPUT],
    load: lazy(
      () => import('./commands/check.js'),
      (m) => m.check,
    ),
  },
  {
    name: 'fmt',
    summary: 'format files canonically (atomic rewrite)',
    argument: { syntax: '<files...>', description: '.seg files', missing: 'a .seg file' },
    options: [{ flags: '--check', description: 'only list the files that are not formatted (exit 1 if any)' }],
    load: lazy(
      () => import('./commands/fmt.js'),
      (m) => m.fmt,
    ),
  },
  {
    name: 'summary',
    summary: 'per layer: output shape, parameters, FLOPs, receptive field, output stride; totals',
    argument: ONE_FILE,
    options: [...COMPILE, depth('2 (all with --json)'), EXPAND, JSON_OUTPUT],
    load: lazy(
      () => import('./commands/summary.js'),
      (m) => m.summary,
    ),
  },
  {
    name: 'graph',
    summary: 'draw the architecture as a diagram, parallel branches side by side',
    argument: ONE_FILE,
    options: [
      { flags: '--format <format>', description: 'dot, svg or mermaid', fallback: 'dot' },
      OUTPUT_FILE,
      ...COMPILE,
      depth('1'),
      EXPAND,
    ],
    load: lazy(
      () => import('./commands/graph.js'),
      (m) => m.graph,
    ),
  },
  {
    name: 'ir',
    summary: 'write the IR as versioned JSON',
    argument: ONE_FILE,
    options: [
      { flags: '--mode <mode>', description: 'source, inference or training: which passes run', fallback: 'source' },
      { flags: '--dump-after <pass>', description: 'also print the IR after this pass on stderr' },
      OUTPUT_FILE,
      ...COMPILE,
    ],
    load: lazy(
      () => import('./commands/ir.js'),
      (m) => m.ir,
    ),
  },
  {
    name: 'build',
    summary: 'generate a typed TypeScript module per model, with its IR JSON, or a PyTorch module',
    argument: ONE_FILE,
    options: [
      { flags: '-o, --output <dir>', description: 'the folder to write the modules to (required)' },
      {
        flags: '--target <target>',
        description:
          'ts; js for JavaScript with .d.ts declarations as well; pytorch for a PyTorch module with train.py; onnx for an ONNX model (opset 17)',
        fallback: 'ts',
      },
      {
        flags: '--weights <dir>',
        description:
          'with --target pytorch: trained weights, also written as <model>.safetensors; with --target onnx: the weights the .onnx holds',
      },
      {
        flags: '--seed <n>',
        description: 'with --target onnx and no --weights: seed of the random weights',
        fallback: '0',
      },
      ...COMPILE,
    ],
    load: lazy(
      () => import('./commands/build.js'),
      (m) => m.build,
    ),
  },
  {
    name: 'run',
    summary: 'run a model on images: masks and overlays, or the top classes',
    argument: ONE_MODEL,
    options: [
      IMAGE,
      OUT_DIR,
      WEIGHTS,
      RUN_BACKEND,
      { flags: '--top <k>', description: 'how many classes a classifier reports', fallback: '5' },
      {
        flags: '--format <format>',
        description: 'png (masks, overlays, report) or npy (every output as float32 .npy, and the report)',
        fallback: 'png',
      },
      {
        flags: '--threshold <p>',
        description: 'the probability at which a one-channel (sigmoid) output counts as foreground',
        fallback: '0.5',
      },
      SEED,
      JSON_OUTPUT,
      ...RUN_COMPILE,
    ],
    load: lazy(
      () => import('./commands/run.js'),
      (m) => m.run,
    ),
    examples: [
      'segc run examples/deeplabv3plus_small.seg --weights weights/deeplabv3plus_small --image examples/images/shapes-a.png --out out',
    ],
  },
  {
    name: 'explain',
    summary: 'class maps (CAM, Grad-CAM, Grad-CAM++, LayerCAM, ACoL) and feature maps',
    argument: ONE_MODEL,
    options: [
      IMAGE,
      OUT_DIR,
      {
        flags: '--method <method>',
        description: 'cam, gradcam, gradcampp, layercam, acol or features',
        fallback: 'gradcam',
      },
      { flags: '--class <index>', description: 'the class to explain (default: the predicted class)' },
      {
        flags: '--layer <name>',
        description: 'the layer to explain at (default: the one the compiler derives; see --list)',
      },
      { flags: '--output <name>', description: 'the model output to explain (default: the first scored output)' },
      { flags: '--format <format>', description: 'json or npy, for the map files', fallback: 'json' },
      { flags: '--order <order>', description: 'upsample-first or normalize-first', fallback: 'upsample-first' },
      {
        flags: '--threshold <fraction>',
        description: 'fraction of the map maximum that bounds the box',
        fallback: '0.5',
      },
      { flags: '--region <x0,y0,x1,y1>', description: 'explain the score of a region of a segmentation output' },
      { flags: '--list', description: 'print what the compiler derived for each output, run nothing' },
      WEIGHTS,
      RUN_BACKEND,
      SEED,
      JSON_OUTPUT,
      ...RUN_COMPILE,
    ],
    load: lazy(
      () => import('./commands/explain.js'),
      (m) => m.explainCommand,
    ),
    examples: [
      'segc explain examples/gap_cam.seg --weights weights/gap_cam --image examples/images/digit-7.png --out out',
    ],
  },
  {
    name: 'import',
    summary:
      'turn a tfjs-layers or tfjs graph model (model.json and shards) or an ONNX model into a .seg file and segc weights',
    argument: {
      syntax: '<model>',
      description: 'model.json (or the folder holding it), or model.onnx',
      missing: 'a model.json or model.onnx',
    },
    options: [
      { flags: '-o, --output <dir>', description: 'the folder to write NAME.seg and weights/ to (required)' },
      {
        flags: '--from <format>',
        description: 'the source format: auto, tfjs-layers, tfjs-graph or onnx',
        fallback: 'auto',
      },
      {
        flags: '--input-size <HxW>',
        description: 'fix the height and width an ONNX model leaves open (e.g. 48x192)',
      },
      { flags: '--overwrite', description: 'replace an existing NAME.seg and weights/' },
    ],
    load: lazy(
      () => import('./commands/import.js'),
      (m) => m.importCommand,
    ),
    examples: ['segc import my-model/model.json -o imported && segc check imported/my_model.seg'],
  },
  {
    name: 'weights',
    summary: 'manage saved weights: migrate them after a `let` or block call was renamed',
    argument: { syntax: '[action]', description: 'migrate', missing: 'an action' },
    options: [],
    load: lazy(
      () => import('./commands/weights.js'),
      (m) => m.unknownAction,
    ),
    subcommands: [
      {
        name: 'migrate',
        summary: "write saved weights under the model's current layer names, printing the mapping",
        argument: ONE_MODEL,
        options: [
          { flags: '--weights <dir>', description: 'the weights folder saved under the old names (required)' },
          { flags: '-o, --output <dir>', description: 'the new weights folder to write (required unless --dry-run)' },
          {
            flags: '--map <old=new>',
            description: 'pair two layers by name, for renamed layers of equal structure that cannot be told apart',
            repeat: true,
          },
          { flags: '--dry-run', description: 'print the mapping and check it, write nothing' },
          JSON_OUTPUT,
          ...COMPILE,
        ],
        load: lazy(
          () => import('./commands/weights.js'),
          (m) => m.migrate,
        ),
        examples: ['segc weights migrate model.seg --weights runs/old/weights -o runs/old/weights-renamed'],
      },
    ],
  },
  {
    name: 'train',
    summary: 'train a model on a data set: checkpoints, --resume, training curve',
    argument: ONE_MODEL,
    options: [
      { flags: '--data <dir>', description: 'the training split folder (required)' },
      { flags: '--val <dir>', description: 'a validation split, scored after every epoch' },
      { flags: '--out <dir>', description: 'where checkpoints, state and curve go (default: runs/MODEL)' },
      { flags: '--epochs <n>', description: 'passes over the data', fallback: '10' },
      { flags: '--batch <n>', description: 'images per step', fallback: '16' },
      { flags: '--lr <rate>', description: 'learning rate (default: 0.001 with adam, 0.01 with sgd)' },
      { flags: '--optimizer <name>', description: 'sgd or adam', fallback: 'adam' },
      { flags: '--schedule <name>', description: 'poly or constant learning rate', fallback: 'poly' },
      { flags: '--weight-decay <d>', description: 'L2 weight decay', fallback: '0.0001' },
      { flags: '--momentum <m>', description: 'momentum for sgd', fallback: '0.9' },
      { flags: '--seed <n>', description: 'seed of initial weights, order and augmentation', fallback: '0' },
      backend('wasm'),
      { flags: '--resume', description: 'continue from the checkpoint in --out' },
      { flags: '--flip', description: 'flip half the images left–right' },
      { flags: '--scale-crop <low,high>', description: 'random scale in [low, high], then crop to the input size' },
      { flags: '--multi-label', description: 'train every class present (sigmoid), not one label per image' },
      {
        flags: '--loss <name>',
        description:
          'ce, gce (generalised cross-entropy) or sce (symmetric cross-entropy), for noisy labels (default: ce)',
      },
      {
        flags: '--label-smoothing <e>',
        description: 'with --loss ce: targets (1 − e)·one-hot + e/classes (default: 0)',
      },
      { flags: '--gce-q <q>', description: 'with --loss gce: q in (0, 1] (default: 0.7)' },
      { flags: '--sce-alpha <a>', description: 'with --loss sce: weight of the cross-entropy (default: 0.1)' },
      { flags: '--sce-beta <b>', description: 'with --loss sce: weight of the reverse cross-entropy (default: 1)' },
      {
        flags: '--mask-share <f>',
        description:
          'segmentation: only this share of images keep their masks; the others train by their image labels (default: 1)',
      },
      {
        flags: '--image-label-weight <w>',
        description: 'weight of the image-label loss of images without a mask (default: 1)',
      },
      {
        flags: '--box-masks <mode>',
        description: 'segmentation: masks from the boxes, filled or inner (box centre the object, the rest ignored)',
      },
      {
        flags: '--box-inner <f>',
        description: 'with --box-masks inner: side fraction of the box centre (default: 0.5)',
      },
      {
        flags: '--label-noise <f>',
        description:
          'make the labels of this share of images wrong (another class, seeded by --seed), for noise-rate curves (default: 0)',
      },
      { flags: '--skip-bad-files', description: 'leave unreadable images out instead of stopping' },
      ...COMPILE,
    ],
    load: lazy(
      () => import('./commands/train.js'),
      (m) => m.train,
    ),
  },
  {
    name: 'eval',
    summary: 'score weights on a data set: mIoU, top-1/top-5, localisation',
    argument: ONE_MODEL,
    options: [
      { flags: '--weights <dir>', description: 'a weights folder, model.json, or segc train output folder (required)' },
      { flags: '--data <dir>', description: 'the split folder to score (required)' },
      {
        flags: '--method <method>',
        description:
          'cam, gradcam, gradcampp, layercam, acol or none: the class maps scored for localisation on data with boxes (default: acol for ACoL models, else cam)',
      },
      {
        flags: '--layer <name>',
        description:
          'with gradcam, gradcampp or layercam: the layer the maps are made at (default: the one the compiler derives)',
      },
      { flags: '--multi-label', description: 'score label sets: label accuracy, exact match, mean AP' },
      { flags: '--confusion <file.svg>', description: 'also write the confusion matrix as an SVG chart' },
      { flags: '--batch <n>', description: 'images per batch', fallback: '16' },
      backend('wasm'),
      JSON_OUTPUT,
      ...COMPILE,
    ],
    load: lazy(
      () => import('./commands/eval.js'),
      (m) => m.evaluate,
    ),
  },
  {
    name: 'lsp',
    summary: 'the language server for editors (diagnostics, hover shapes, definitions, completion)',
    options: [{ flags: '--stdio', description: 'speak the LSP over stdin and stdout (what editors start it with)' }],
    load: lazy(
      () => import('./commands/lsp.js'),
      (m) => m.lsp,
    ),
  },
  {
    name: 'data',
    summary: 'generate data sets (shapes, mnist-canvas, mnist) and pseudo-masks',
    argument: { syntax: '[kind]', description: 'shapes, mnist-canvas, mnist or pseudo-masks', missing: 'a kind' },
    options: [],
    load: lazy(
      () => import('./commands/data.js'),
      (m) => m.unknownKind,
    ),
    subcommands: [
      ...DATA_GENERATORS,
      {
        name: 'pseudo-masks',
        summary: "masks for weakly supervised segmentation from a classifier's class maps",
        argument: ONE_MODEL,
        options: [
          { flags: '--weights <dir>', description: 'the classifier weights (required)' },
          { flags: '--data <dir>', description: 'the segmentation split whose images get masks (required)' },
          { flags: '--out <dir>', description: 'the data set folder to write (required)' },
          { flags: '--method <method>', description: 'cam or acol', fallback: 'cam' },
          {
            flags: '--fg <fraction>',
            description: 'map values above this fraction of the maximum are the object',
            fallback: '0.6',
          },
          {
            flags: '--bg <fraction>',
            description: 'map values below this fraction are background; between is ignored (255)',
            fallback: '0.2',
          },
          {
            flags: '--refine <method>',
            description:
              'none (thresholds --fg/--bg), walk (background estimation and a random walk on colour affinities) or grow (a region grown by colour from each class map’s peak)',
            fallback: 'none',
          },
          { flags: '--alpha <a>', description: 'walk: background score (1 − max class map)^a', fallback: '4' },
          { flags: '--radius <r>', description: 'walk: neighbourhood radius in pixels', fallback: '3' },
          {
            flags: '--sigma <s>',
            description: 'walk: colour scale of the affinities (colours in [0, 1])',
            fallback: '0.1',
          },
          { flags: '--steps <t>', description: 'walk: number of random-walk steps', fallback: '20' },
          {
            flags: '--tolerance <d>',
            description: 'grow: colour distance from the peak pixel within which a pixel joins (colours in [0, 1])',
            fallback: '0.1',
          },
          {
            flags: '--max-area <share>',
            description: 'grow: a region above this share of the image is dropped (the peak fell on background)',
            fallback: '0.25',
          },
          {
            flags: '--seeds <k>',
            description: 'grow: seeds tried per class, highest first, until one grows a region that is kept',
            fallback: '1',
          },
          backend('wasm'),
          { flags: '--overwrite', description: 'replace an existing output folder' },
          ...COMPILE,
        ],
        load: lazy(
          () => import('./commands/data.js'),
          (m) => m.pseudoMasks,
        ),
      },
    ],
  },
];
