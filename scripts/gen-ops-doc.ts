/**
 * Writes docs/ops.md from the op registry: a table of every op with its arguments, then one
 * section per op with its parameters and notes. Run after changing any op:
 * `npx tsx scripts/gen-ops-doc.ts`. A test fails while the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttrValue, OpDef, ParamSpec, ParamType } from '../src/ops/op.js';
import { OPS } from '../src/ops/registry.js';

export const OPS_DOC_PATH = 'docs/ops.md';

const CONVENTIONS = `## Conventions

- **Layout.** Feature maps are NHWC: \`[N, H, W, C]\`. Batch and spatial sizes may be symbolic
  (\`N\`, \`H\`, \`W\`, constrained with \`where\`); channel counts are always numbers, and every
  op infers its input channels from its inputs, so they are never restated.
- **Arguments.** Tensor arguments come first. An \`int2\` is an int or a pair \`[rows, cols]\`.
  \`null\` marks an optional argument with no value. Arguments after \`*\` in a signature are
  named only: \`dwconv(3, stride: 2)\`.
- **Cost.** FLOPs count a multiply-add as 2 (conv: 2·kh·kw·Cin·Cout per output pixel). Element-wise
  ops count a few operations per element; reshaping, slicing and concatenation count 0.
- **Receptive field.** Spatial ops declare a step (extent, stride) per axis; for a non-square
  window the larger extent and stride are reported, an upper bound. Global pooling declares none:
  its output sees the whole input, and the summary treats it as global.
- **Gradients.** Where tfjs cannot differentiate a kernel (dilated convolutions) or
  differentiates it wrongly (average pooling with \`same\` padding, resizing, mirror padding), the
  op switches to an equivalent differentiable formulation when \`needsGradient\` is set. Results
  agree with the fast kernels to float rounding.
- **Compiler facts.** What the passes and analyses need to know about an op is declared on its
  \`OpDef\` (src/ops/op.ts), never kept as a list of op names elsewhere: which activation it fuses
  (\`fusesActivation\`, \`fusableActivation\`), how a batch norm folds into it (\`foldsBatchNorm\`,
  \`foldableBatchNorm\`), when it is the identity (\`identityWhen\`), its spatial effect
  (\`spatial\`, \`receptiveField\` given the whole node), inputs read only for their shape
  (\`shapeOnlyInputs\`), weight fan-in (\`fanIn\`), \`differentiable: false\`, and what the
  architecture warnings and explanations look for: how a merge combines (\`combines\`), global
  pooling (\`globalPool\`), a final softmax or sigmoid (\`outputActivation\`), a CAM head's linear
  layer (\`linearInChannels\`), upsampling (\`resamples\`) and ACoL erasing (\`erasing\`). Each op's section
  below lists its facts. IR verification rejects an attribute or weight a pass adds that these
  declarations do not allow.
- **Adding an op.** Its own file under src/ops, a line in src/ops/registry.ts, an execution case
  in the case data of tests/ops/exec-*-cases.ts, a gradient case (tests/ops/gradient-cases.ts)
  unless it declares \`differentiable: false\`, and this file regenerated;
  tests/ops/registry-completeness.test.ts fails while any of these is missing.
`;

function formatType(type: ParamType): string {
  return typeof type === 'string' ? type : type.enum.join(' \\| ');
}

function formatValue(value: AttrValue): string {
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  return value === null ? 'null' : String(value);
}

function formatParam(param: ParamSpec): string {
  const written = `${param.name}: ${formatType(param.type)}`;
  return param.default === undefined ? `\`${written}\`` : `\`${written} = ${formatValue(param.default)}\``;
}

function signature(op: OpDef): string {
  const names = op.params.map((p) => p.name);
  const firstNamed = op.params.findIndex((p) => p.named);
  if (firstNamed >= 0) names.splice(firstNamed, 0, '*');
  return `${op.name}(${names.join(', ')})`;
}

function tableRow(op: OpDef): string {
  return `| [\`${op.name}\`](#${op.name.toLowerCase()}) | ${op.params.map(formatParam).join(', ')} | ${op.summary} |`;
}

function section(op: OpDef): string {
  const rows = op.params.map(
    (p) =>
      `| \`${p.name}\` | ${formatType(p.type)} | ${p.default === undefined ? 'required' : `\`${formatValue(p.default)}\``} | ${p.doc} |`,
  );
  const lines = [
    `### ${op.name}`,
    '',
    `\`${signature(op)}\`: ${op.summary}.`,
    '',
    '| Argument | Type | Default | Meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
  ];
  if (op.notes) lines.push('', op.notes);
  const compilerFacts = facts(op, OPS);
  if (compilerFacts.length > 0) lines.push('', `Compiler facts: ${compilerFacts.join('; ')}.`);
  return lines.join('\n');
}

/** The op's declared facts for the passes and analyses, in words. */
function facts(op: OpDef, ops: readonly OpDef[]): string[] {
  const names = (has: (o: OpDef) => boolean) =>
    ops
      .filter(has)
      .map((o) => `\`${o.name}\``)
      .join(', ');
  const found: string[] = [];
  if (op.fusesActivation)
    found.push(`an activation after it (${names((o) => o.fusableActivation === true)}) fuses into it at inference`);
  if (op.fusableActivation)
    found.push(`fuses into the layer before it at inference (${names((o) => o.fusesActivation === true)})`);
  if (op.foldsBatchNorm)
    found.push(`a batch norm after it folds into \`${op.foldsBatchNorm.kernel}\` and \`bias\` at inference`);
  if (op.foldableBatchNorm)
    found.push(`folds into the layer before it at inference (${names((o) => o.foldsBatchNorm !== undefined)})`);
  if (op.identityWhen) found.push('removed at inference where its attributes make it the identity');
  if (op.spatial === 'global') found.push('its output sees the whole input (receptive field global)');
  if (op.spatial === 'merge') found.push('keeps the finest output stride of its inputs');
  if (op.channelwise) found.push('per position and channel');
  if (op.combines === 'concat') found.push('joins its inputs side by side (ASPP branches)');
  else if (op.combines) found.push(`combines its inputs element by element (${op.combines})`);
  if (op.globalPool === 'average') found.push('global average pooling (a NIN head, or with a linear layer a CAM head)');
  else if (op.globalPool) found.push(`global ${op.globalPool} pooling (a NIN head)`);
  if (op.outputActivation)
    found.push(`makes probabilities (${op.outputActivation}): explanations take the score before it`);
  if (op.linearInChannels)
    found.push(`linear in its input channels through \`${op.linearInChannels.kernel}\` (exact CAM after \`gap\`)`);
  if (op.resamples) found.push('resamples each channel on its own (a resampled class map is still one)');
  if (op.erasing) found.push(`erases where the class maps in \`${op.erasing.classMaps}\` are high (ACoL)`);
  for (const input of op.shapeOnlyInputs ?? []) found.push(`\`${input}\` is read only for its shape`);
  if (op.fanIn) found.push('declares its own weight fan-in for initialisation');
  if (op.differentiable === false) found.push('not differentiable');
  return found;
}

export function renderOpsDoc(ops: readonly OpDef[] = OPS): string {
  return [
    '# Operations',
    '',
    '<!-- Generated by `npx tsx scripts/gen-ops-doc.ts` from src/ops/registry.ts. Do not edit by hand. -->',
    '',
    CONVENTIONS,
    '## All operations',
    '',
    '| Op | Arguments | Summary |',
    '| --- | --- | --- |',
    ...ops.map(tableRow),
    '',
    '## Each operation',
    '',
    ops.map(section).join('\n\n'),
    '',
  ].join('\n');
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  writeFileSync(join(root, OPS_DOC_PATH), renderOpsDoc());
  console.log(`wrote ${OPS_DOC_PATH}`);
}
