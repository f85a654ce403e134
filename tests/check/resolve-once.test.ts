/**
 * Names are resolved once, in src/ir/resolve.ts: the names-resolve check reports what does not
 * resolve, and elaboration reads the resolution table and stops at those names instead of
 * resolving them again. Each mistake is one diagnostic, with nothing removed afterwards.
 */
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/check/index.js';
import { namesResolve } from '../../src/check/rules/names-resolve.js';
import { elaborateModel } from '../../src/ir/elaborate.js';
import { resolveModule } from '../../src/ir/resolve.js';
import type * as ast from '../../src/parser/ast.js';
import { loadSource } from '../../src/program/modules.js';
import { compileText, diagnose } from '../helpers/compile.js';

const model = (body: string) => `model M() {\n  input x: f32[N, H, W, 3]\n${body}\n}\n`;

/** The diagnostics of elaboration alone, without the static checks. */
function elaborationOnly(source: string): string[] {
  const program = loadSource(source, 'test.seg');
  const entry = program.modules.get(program.entry)!;
  const declaration = entry.program.declarations.find((d): d is ast.ModelDecl => d.kind === 'ModelDecl')!;
  return elaborateModel(program, entry, declaration).diagnostics.map(
    (d) => `${d.span.start.line}:${d.span.start.column} ${d.code}`,
  );
}

/** The diagnostics of the names-resolve check alone. */
function checkOnly(source: string): string[] {
  return runChecks(loadSource(source, 'test.seg'), [namesResolve]).map(
    (d) => `${d.span.start.line}:${d.span.start.column} ${d.code}`,
  );
}

const CASES: readonly { name: string; source: string; expected: string }[] = [
  {
    name: 'E0209 a name used before its `let`',
    source: model('  let a = b -> relu\n  let b = x -> conv(8, 3)\n  output y = add(a, b)'),
    expected: '3:11 E0209 `b` is used before it is defined (line 4)',
  },
  {
    name: 'E0210 an unknown name',
    source: model('  output y = imge -> conv(8, 3)'),
    expected: '3:14 E0210 unknown name `imge`',
  },
  {
    name: 'E0211 an unknown block or operation',
    source: model('  output y = x -> cnv(8, 3)'),
    expected: '3:19 E0211 unknown block or operation `cnv`',
  },
  {
    name: 'E0212 an operation used as a value',
    source: model('  output y = add(x, relu)'),
    expected: '3:21 E0212 `relu` is an operation, not a value',
  },
  {
    name: 'E0213 a value called as a block',
    source: model('  let f = 2\n  output y = x -> f(8)'),
    expected: '4:19 E0213 `f` is a value, not a block or operation',
  },
  {
    name: 'E0220 an unknown named argument',
    source: model('  output y = x -> conv(8, 3, strid: 2)'),
    expected: '3:30 E0220 `conv` has no parameter named `strid`',
  },
  {
    name: 'E0210 a size symbol used as a value in the body',
    source: model('  output y = x -> conv(H, 1)'),
    expected: '3:24 E0210 unknown name `H`',
  },
  {
    name: 'E0210 a `where` constraint reading a `let` (inputs are declared before the body runs)',
    source: 'model M() {\n  let k = 8\n  input x: f32[N, H, W, 3] where H % k == 0\n  output y = x -> conv(k, 3)\n}\n',
    expected: '3:38 E0210 unknown name `k`',
  },
  {
    name: 'E0209 a `where` constraint reading a later `let`',
    source: 'model M() {\n  input x: f32[N, H, W, 3] where H % k == 0\n  let k = 8\n  output y = x -> conv(k, 3)\n}\n',
    expected: '2:38 E0209 `k` is used before it is defined (line 3)',
  },
];

describe('each name that does not resolve is reported once', () => {
  it.each(CASES)('$name', ({ source, expected }) => {
    expect(diagnose(source)).toEqual([expected]);
    // Reported by the check; elaboration stops at the name without a diagnostic of its own.
    expect(checkOnly(source)).toEqual([expected.split(' ').slice(0, 2).join(' ')]);
    expect(elaborationOnly(source)).toEqual([]);
    expect(compileText(source).models[0]!.graph).toBeUndefined();
  });

  it('reports a mistake inside a block once, however often the block is called', () => {
    const source = `block B(x, c: int) {\n  return x -> conv(cc, 3) -> conv(c, 3, dilaton: 2)\n}\n${model('  output y = x -> B(8) -> B(16) -> B(32)')}`;
    expect(diagnose(source)).toEqual([
      '2:20 E0210 unknown name `cc`',
      '2:41 E0220 `conv` has no parameter named `dilaton`',
    ]);
  });

  it('keeps reporting the mistakes elaboration finds next to one that does not resolve', () => {
    const source = model('  let a = x -> conv(8, 3, strid: 2)\n  output y = x -> conv(8, 3, stride: 0.5) -> add(a)');
    expect(diagnose(source).map((d) => d.split(' ').slice(0, 2).join(' '))).toEqual(['3:27 E0220', '4:30 E0224']);
  });
});

describe('elaboration stops at names that do not resolve', () => {
  it.each([
    ['an argument name', '  let a = x -> conv(8, 3, strid: 2)\n  output y = x -> conv(8, 3)'],
    ['a callee', '  let a = x -> cnv(8, 3)\n  output y = x -> conv(8, 3)'],
    ['a value', '  let a = add(x, imge)\n  output y = x -> conv(8, 3)'],
  ])('a model with %s that does not resolve has no graph, even where its value is unused', (_, body) => {
    const { models, diagnostics } = compileText(model(body));
    expect(diagnostics.filter((d) => d.severity === 'error')).toHaveLength(1);
    expect(models[0]!.graph).toBeUndefined();
  });
});

describe('the resolution table', () => {
  it('maps each reference to its declaration, and marks the ones that do not resolve', () => {
    const program = loadSource(model('  let a = x -> conv(8, 3, stride: 2)\n  output y = a -> nope'), 'test.seg');
    const resolution = resolveModule(program.modules.get(program.entry)!);
    const table = [...resolution.references].map(([reference, target]) => {
      const at = `${reference.span.start.line}:${reference.span.start.column} ${reference.name}`;
      if (target.kind === 'binding') return `${at} → ${target.binding.kind} (line ${target.binding.span.start.line})`;
      if (target.kind === 'unresolved') return `${at} → ${target.problem.code}`;
      return `${at} → ${target.kind}`;
    });
    expect(table.sort()).toEqual(
      [
        '3:11 x → input (line 2)',
        '3:16 conv → operation',
        '3:27 stride → parameter',
        '4:14 a → let (line 3)',
        '4:19 nope → E0211',
      ].sort(),
    );
    // Computed once per file, then shared by the checks and the elaborator.
    expect(resolveModule(program.modules.get(program.entry)!)).toBe(resolution);
  });
});
