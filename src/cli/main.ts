/**
 * The `segc` command line. Exit codes: 0 success, 1 errors in the input (diagnostics were
 * printed), 2 usage errors, 3 internal errors (a bug in segc: please report it).
 */
import { DiagnosticError, InternalError } from '../diagnostics/diagnostic.js';
import { renderDiagnostics } from '../diagnostics/render.js';
import { UsageError } from './args.js';
import { BUILD_USAGE, build } from './commands/build.js';
import { CHECK_USAGE, check } from './commands/check.js';
import { DATA_USAGE, data } from './commands/data.js';
import { EVAL_USAGE, evaluate } from './commands/eval.js';
import { EXPLAIN_USAGE, explainCommand } from './commands/explain.js';
import { FMT_USAGE, fmt } from './commands/fmt.js';
import { GRAPH_USAGE, graph } from './commands/graph.js';
import { IR_USAGE, ir } from './commands/ir.js';
import { RUN_USAGE, run } from './commands/run.js';
import { SUMMARY_USAGE, summary } from './commands/summary.js';
import { TRAIN_USAGE, train } from './commands/train.js';
import { type Io, processIo } from './io.js';

type Command = (argv: readonly string[], io: Io) => number | Promise<number>;

const COMMANDS: Readonly<Record<string, { run: Command; usage: string; help: string }>> = {
  check: { run: check, usage: CHECK_USAGE, help: 'parse, resolve names and check shapes' },
  fmt: { run: fmt, usage: FMT_USAGE, help: 'format files canonically (--check: only report)' },
  summary: { run: summary, usage: SUMMARY_USAGE, help: 'per-layer shapes, parameters, FLOPs, receptive field, output stride' },
  graph: { run: graph, usage: GRAPH_USAGE, help: 'draw the architecture (dot, svg, mermaid)' },
  ir: { run: ir, usage: IR_USAGE, help: 'write the IR as versioned JSON' },
  build: { run: build, usage: BUILD_USAGE, help: 'generate a typed TypeScript module (--target js: also .js and .d.ts)' },
  run: { run, usage: RUN_USAGE, help: 'run a model on images: masks, overlays, top classes' },
  explain: { run: explainCommand, usage: EXPLAIN_USAGE, help: 'class maps (CAM, Grad-CAM, Grad-CAM++, LayerCAM, ACoL) and feature maps; --list shows the derived plan' },
  train: { run: train, usage: TRAIN_USAGE, help: 'train a model on a data set (checkpoints, --resume, training curve)' },
  eval: { run: evaluate, usage: EVAL_USAGE, help: 'score weights on a data set: mIoU, top-1/top-5, localisation' },
  data: { run: data, usage: DATA_USAGE, help: 'generate data sets (shapes, mnist-canvas, mnist) and pseudo-masks' },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.help}\n            ${c.usage}`);
  return `usage: segc COMMAND [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`segc: unknown command \`${name}\`\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return handleError(error, name, command.usage, io);
  }
}

function handleError(error: unknown, name: string, commandUsage: string, io: Io): number {
  if (error instanceof UsageError) {
    io.err(`segc ${name}: ${error.message}\nusage: ${commandUsage}`);
    return 2;
  }
  if (error instanceof DiagnosticError) {
    io.err(renderDiagnostics(error.diagnostics, new Map()));
    return 1;
  }
  const detail = error instanceof InternalError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  io.err(`segc ${name}: internal error: ${detail}\nThis is a bug in segc, not in your input; please report it with the command you ran.`);
  if (process.env.SEGC_DEBUG) io.err(String((error as Error)?.stack ?? ''));
  return 3;
}
