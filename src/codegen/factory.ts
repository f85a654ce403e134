/**
 * The factory of a generated module: it checks and copies the weights, prepares each layer's
 * tensors once (batch norm folded, as the interpreter's executor does), and returns the model
 * object whose `predict` runs the forward pass inside `tf.tidy`. Also `load…`, which takes the
 * weights from a loader and releases them once copied.
 */
import type { Graph } from '../ir/graph.js';
import type { EmitHelper } from '../ops/op.js';
import { classMaps } from './explanations.js';
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
  return members.map((m) => {
    const [key, local] = [literalKey(m.name), plan.locals.get(m.node)!];
    return key === local ? key : `${key}: ${local}`;
  }).join(', ');
}

function runFunction(inference: Graph, plan: LayerPlan, names: ModuleNames, withMaps: boolean): Lines {
  const outputs = `{ ${fields(inference.outputs, plan)} }`;
  const maps = classMaps(inference).map((m) => ({ name: m.key, node: m.node.id }));
  const result = withMaps ? `{ outputs: ${outputs}, classMaps: { ${fields(maps, plan)} } }` : outputs;
  return block(`const run = (inputs: ${names.inputs}): ${withMaps ? names.prediction : names.outputs} => {`, [...plan.statements, `return ${result};`], '};');
}

function modelObject(inference: Graph, names: ModuleNames, withMaps: boolean, hasWeights: boolean): Lines {
  const guard = `if (disposed) throw new Error(${quote(`${inference.model}: the model was disposed`)});`;
  const method = (name: string, body: string) => block(`${name}(inputs: ${names.inputs}) {`, [guard, 'requireInputs(inputs);', `return tf.tidy(() => ${body});`], '},');
  return block('return {', [
    `name: ${quote(inference.model)},`,
    ...method('predict', withMaps ? 'run(inputs).outputs' : 'run(inputs)'),
    ...(withMaps ? method('predictWithClassMaps', 'run(inputs)') : []),
    ...block('dispose() {', ['if (disposed) return;', 'disposed = true;', ...(hasWeights ? ['tf.dispose(layers);'] : [])], '},'),
  ], '};');
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
export function factoryBody(inference: Graph, plan: LayerPlan, names: ModuleNames): string {
  const withMaps = classMaps(inference).length > 0;
  const hasWeights = plan.weights.length > 0;
  return render([...preparation(plan, names), 'let disposed = false;', ...runFunction(inference, plan, names, withMaps), ...modelObject(inference, names, withMaps, hasWeights)]);
}

/** The body of `load…`. */
export function loaderBody(names: ModuleNames): string {
  return render(['const weights = await loader(WEIGHTS);', ...block('try {', [`return ${names.create}(weights);`], '} finally {'), ['tf.dispose([...weights.values()]);'], '}']);
}
