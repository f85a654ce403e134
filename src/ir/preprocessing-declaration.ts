/**
 * Reads an input's `@preprocess(...)` annotation into a Preprocessing. Every argument is named
 * and optional; its value is a compile-time expression, so it may use the model's parameters.
 * A mistake is reported at the argument with the values that are allowed.
 */
import { codes } from '../diagnostics/codes.js';
import type * as ast from '../parser/ast.js';
import type { Dim } from '../shapes/symbolic.js';
import type { Evaluator } from './evaluate.js';
import { DEFAULT_PREPROCESSING, PREPROCESSING_CHOICES, type Preprocessing } from './preprocessing.js';
import type { Frame } from './scope.js';
import { isNumber, type Value } from './values.js';

type Writable = { -readonly [K in keyof Preprocessing]: Preprocessing[K] };
type Report = (span: ast.Node['span'], message: string, hint: string) => void;

const NAMES = ['resize', 'centres', 'order', 'grey', 'scale', 'mean', 'std'] as const;

/** The input's preprocessing, or undefined when it declares none (or declares it wrongly). */
export function readPreprocessing(
  evaluator: Evaluator,
  statement: ast.InputStmt,
  channels: Dim | undefined,
  frame: Frame,
): Preprocessing | undefined {
  const report: Report = (span, message, hint) => evaluator.report(codes.badPreprocessing, span, message, hint, frame);
  let result: Preprocessing | undefined;
  for (const annotation of statement.annotations) {
    if (annotation.name.name !== 'preprocess') {
      evaluator.report(
        codes.unknownInputAnnotation,
        annotation.span,
        `an input takes no \`@${annotation.name.name}\``,
        'an input takes `@preprocess(...)`: how an image becomes its tensor (see docs/language.md)',
        frame,
      );
      continue;
    }
    if (result) {
      report(annotation.span, `input \`${statement.name.name}\` has two \`@preprocess\``, 'merge them into one');
      continue;
    }
    result = readArguments(evaluator, annotation, channels, frame, report);
  }
  return result;
}

function readArguments(
  evaluator: Evaluator,
  annotation: ast.Annotation,
  channels: Dim | undefined,
  frame: Frame,
  report: Report,
): Preprocessing | undefined {
  const settings: Writable = { ...DEFAULT_PREPROCESSING };
  const seen = new Set<string>();
  let ok = true;
  for (const argument of annotation.args) {
    const name = argument.name?.name;
    if (!name || !(NAMES as readonly string[]).includes(name) || seen.has(name)) {
      report(
        argument.name?.span ?? argument.span,
        !name
          ? '`@preprocess` takes named arguments only'
          : seen.has(name)
            ? `\`${name}\` is given twice`
            : `\`@preprocess\` has no argument \`${name}\``,
        `its arguments: ${NAMES.join(', ')}`,
      );
      ok = false;
      continue;
    }
    seen.add(name);
    const value = evaluator.evaluate(argument.value, frame);
    if (value.kind === 'poison') ok = false;
    else if (!setArgument(settings, name as (typeof NAMES)[number], value, argument, channels, report)) ok = false;
  }
  return ok ? settings : undefined;
}

function setArgument(
  settings: Writable,
  name: (typeof NAMES)[number],
  value: Value,
  argument: ast.Argument,
  channels: Dim | undefined,
  report: Report,
): boolean {
  if (name === 'scale') {
    if (isNumber(value) && Number.isFinite(value.value) && value.value > 0) {
      settings.scale = value.value;
      return true;
    }
    report(argument.value.span, '`scale` must be a number above 0', 'for example `scale: 1 / 255` or `scale: 1`');
    return false;
  }
  if (name === 'mean' || name === 'std') return setPerChannel(settings, name, value, argument, channels, report);
  const choices: readonly string[] = PREPROCESSING_CHOICES[name];
  if (value.kind === 'string' && choices.includes(value.value)) {
    (settings as Record<string, unknown>)[name] = value.value;
    return true;
  }
  const got = value.kind === 'string' ? `"${value.value}"` : `a ${value.kind}`;
  report(
    argument.value.span,
    `\`${name}\` is one of ${choices.map((c) => `"${c}"`).join(', ')}, not ${got}`,
    `write \`${name}: "${choices[0]}"\``,
  );
  return false;
}

function setPerChannel(
  settings: Writable,
  name: 'mean' | 'std',
  value: Value,
  argument: ast.Argument,
  channels: Dim | undefined,
  report: Report,
): boolean {
  const items = value.kind === 'list' ? value.items : [value];
  const numbers = items.filter(isNumber).map((item) => item.value);
  const count = channels?.kind === 'const' ? channels.value : undefined;
  const example = name === 'mean' ? '[0.485, 0.456, 0.406]' : '[0.229, 0.224, 0.225]';
  if (numbers.length !== items.length || numbers.length === 0 || !numbers.every(Number.isFinite)) {
    report(
      argument.value.span,
      `\`${name}\` must be a number or a list of numbers`,
      `for example \`${name}: ${example}\``,
    );
    return false;
  }
  if (numbers.length !== 1 && numbers.length !== count) {
    const has =
      count === undefined ? 'a channel count that is not a fixed number' : `${count} channel${count === 1 ? '' : 's'}`;
    report(
      argument.value.span,
      `\`${name}\` has ${numbers.length} values but the input has ${has}`,
      'give one value for every channel, or one per channel',
    );
    return false;
  }
  if (name === 'std' && numbers.some((n) => n === 0)) {
    report(
      argument.value.span,
      '`std` divides, so it cannot be 0',
      'the standard deviation of each channel, for example `std: 0.5`',
    );
    return false;
  }
  settings[name] = numbers;
  return true;
}
