/**
 * The factory of a generated module: it checks and copies the weights, prepares each layer's
 * tensors once (batch norm folded, as the interpreter's executor does), and returns the model
 * object whose `predict` runs the forward pass inside `tf.tidy` (and `gradCam`, when an output
 * has a Grad-CAM target the code computes). Also `load…`, which takes the
 * weights from a loader and releases them once copied.
 */
import type { Graph } from '../ir/graph.js';
import type { EmitHelper } from '../ops/op.js';
import { classMaps } from './explanations.js';
import type { GradCamPlan } from './grad-cam.js';
import { literalKey } from './identifiers.js';
import type { LayerPlan } from './layers.js';
import { type Lines, block, render } from './lines.js';
import type { ModuleNames } from './names.js';
import { quote } from './text.js';

export const REQUIRE_WEIGHTS: EmitHelper = {
  name: 'requireWeights',
  parameters: [{ name: 'weights', type: 'ReadonlyMap<string, tf.Tensor>' }],
  returnType: 'void',
  docs: 'Checks that every weight in WEIGHTS is given, with its shape.',
  statements: [
    'for (const { name, shape } of WEIGHTS) {',
    '  const tensor = weights.get(name);',
    '  if (!tensor) throw new Error(`no value for the weight \\`${name}\\``);',
    '  if (!tf.util.arraysEqual(tensor.shape, [...shape])) {',
    "    throw new Error(`the weight \\`${name}\\` has shape [${tensor.shape.join(', ')}], the model needs [${shape.join(', ')}]`);",
    '  }',
    '}',
  ],
};

interface Member {
  readonly name: string;
  readonly node: number;
}

function fields(members: readonly Member[], plan: LayerPlan): string {
  return members
    .map((m) => {
      const [key, local] = [literalKey(m.name), plan.locals.get(m.node)!];
      return key === local ? key : `${key}: ${local}`;
    })
    .join(', ');
}

function runFunction(inference: Graph, plan: LayerPlan, names: ModuleNames, withMaps: boolean, tapped: boolean): Lines {
  const outputs = `{ ${fields(inference.outputs, plan)} }`;
  const maps = classMaps(inference).map((m) => ({ name: m.key, node: m.node.id }));
  const result = withMaps ? `{ outputs: ${outputs}, classMaps: { ${fields(maps, plan)} } }` : outputs;
  const tap = tapped ? ', tap?: GradCamTap' : '';
  return block(
    `const run = (inputs: ${names.inputs}${tap}): ${withMaps ? names.prediction : names.outputs} => {`,
    [...plan.statements, `return ${result};`],
    '};',
  );
}

/**
 * `gradCam`: one run keeps the target's value, the scores and what the derivative reads; the
 * derivative then runs back from the score to the target on those values (derivative.ts), so
 * nothing before the target is differentiated. An output without an emitted derivative takes the
 * gradient with `tf.grad` instead, over a second run that replaces the target's value, so the
 * gradient reaches only the layers after it. The classes are checked before either runs.
 */
function gradCamMethod(inference: Graph, names: ModuleNames, gradCam: GradCamPlan, guard: string): Lines {
  const outputs = `[${gradCam.outputs.map((o) => quote(o.output)).join(', ')}]`;
  const unknown = quote(`${inference.model}: no Grad-CAM for the output `);
  const covered = gradCam.outputs.filter((o) => o.derivative).length;
  const emitted = 'return gradCamMap(activation, derivatives[output](seen, selector));';
  const byGrad = [
    '// This path has an op without an emitted derivative: tfjs differentiates it.',
    'registerGradients();',
    ...block(
      'const gradient = tf.grad((value: tf.Tensor) => {',
      [
        'const replaced = new Map<string, tf.Tensor>();',
        'run(inputs, { seen: replaced, replace: { layer, value } });',
        'return tf.sum(tf.mul(replaced.get(explained.score)!, selector)) as tf.Scalar;',
      ],
      '})(activation) as tf.Tensor4D;',
    ),
    'return gradCamMap(activation, gradient);',
  ];
  const derivative =
    covered === gradCam.outputs.length
      ? [emitted]
      : covered === 0
        ? byGrad
        : [
            ...block(
              'if (output in derivatives) {',
              ['return gradCamMap(activation, derivatives[output as keyof typeof derivatives](seen, selector));'],
              '}',
            ),
            ...byGrad,
          ];
  return block(
    `gradCam(inputs: ${names.inputs}, options: ${names.gradCamOptions} = {}) {`,
    [
      guard,
      'requireInputs(inputs);',
      `const output = options.output ?? ${quote(gradCam.outputs[0]!.output)};`,
      `if (!(${outputs} as readonly string[]).includes(output)) throw new Error(${unknown} + JSON.stringify(output));`,
      'const explained = EXPLANATIONS.outputs[output];',
      'const layer = explained.gradCamTarget.layer;',
      ...block(
        'return tf.tidy(() => {',
        [
          'const seen = new Map<string, tf.Tensor>();',
          'run(inputs, { seen });',
          'const activation = seen.get(layer) as tf.Tensor4D;',
          'const scores = seen.get(explained.score)!;',
          'const selector = gradCamSelector(scores, explained.classes, gradCamClasses(scores, explained.classes, options.classIndex));',
          ...derivative,
        ],
        '});',
      ),
    ],
    '},',
  );
}

function modelObject(
  inference: Graph,
  names: ModuleNames,
  gradCam: GradCamPlan,
  withMaps: boolean,
  hasWeights: boolean,
): Lines {
  const guard = `if (disposed) throw new Error(${quote(`${inference.model}: the model was disposed`)});`;
  const method = (name: string, body: string) =>
    block(
      `${name}(inputs: ${names.inputs}) {`,
      [guard, 'requireInputs(inputs);', `return tf.tidy(() => ${body});`],
      '},',
    );
  return block(
    'return {',
    [
      `name: ${quote(inference.model)},`,
      ...method('predict', withMaps ? 'run(inputs).outputs' : 'run(inputs)'),
      ...(withMaps ? method('predictWithClassMaps', 'run(inputs)') : []),
      ...(gradCam.outputs.length > 0 ? gradCamMethod(inference, names, gradCam, guard) : []),
      ...block(
        'dispose() {',
        ['if (disposed) return;', 'disposed = true;', ...(hasWeights ? ['tf.dispose(layers);'] : [])],
        '},',
      ),
    ],
    '};',
  );
}

function preparation(plan: LayerPlan, names: ModuleNames): Lines {
  if (plan.weights.length === 0) return [];
  const entries = plan.weights.flatMap((w): Lines => {
    const [first, ...rest] = w.initializer;
    const tail = rest.length > 0 ? [...rest.slice(0, -1), `${rest.at(-1) as string},`] : [];
    return rest.length > 0 ? [`${w.name}: ${first as string}`, ...tail] : [`${w.name}: ${first as string},`];
  });
  return [
    'requireWeights(weights);',
    '// Copies: the model owns what it holds, and the caller may release its tensors.',
    `const weight = <T extends tf.Tensor>(name: ${names.weightName}): T => tf.clone(weights.get(name)!) as T;`,
    '// Prepared once, as the interpreter does (batch norm folded into the layer before it).',
    ...block('const layers = tf.tidy(() => ({', entries, '}));'),
  ];
}

/** The body of `create…`: one string, indented relative to the function. */
export function factoryBody(
  inference: Graph,
  plan: LayerPlan,
  names: ModuleNames,
  gradCam: GradCamPlan,
  derivatives: Lines = [],
): string {
  const withMaps = classMaps(inference).length > 0;
  const hasWeights = plan.weights.length > 0;
  const tapped = gradCam.outputs.length > 0;
  return render([
    ...preparation(plan, names),
    'let disposed = false;',
    ...runFunction(inference, plan, names, withMaps, tapped),
    ...derivatives,
    ...modelObject(inference, names, gradCam, withMaps, hasWeights),
  ]);
}

/** The body of `load…`. */
export function loaderBody(names: ModuleNames): string {
  return render([
    'const weights = await loader(WEIGHTS);',
    ...block('try {', [`return ${names.create}(weights);`], '} finally {'),
    ['tf.dispose([...weights.values()]);'],
    '}',
  ]);
}
