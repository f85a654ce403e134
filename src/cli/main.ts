/**
 * The `segc` command line. Exit codes: 0 success, 1 errors in the input (diagnostics were
 * printed), 2 usage errors, 3 internal errors (a bug in segc: please report it).
 *
 * Parsing, help, `--version` and did-you-mean come from commander: it is small (one package,
 * no dependencies, about 10 ms to load), keeps per-command help with option descriptions and
 * defaults, reports unknown commands and options with suggestions, and lets every error and
 * exit go through our own output and exit codes (`exitOverride`, `configureOutput`), which the
 * in-process tests rely on. yargs loads several times more code, and citty has no option
 * suggestions. The command modules are imported only when their command runs.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { UsageError, type Parsed } from './args.js';
import { type Io, endQuietlyWhenStdoutCloses, processIo } from './io.js';
import { COMMANDS, type CommandDef, type CommandRun } from './spec.js';

/** A commander command whose missing-argument message names what is missing, as segc's usage errors do. */
class SegcCommand extends Command {
  missing = 'an argument';

  override createCommand(name?: string): SegcCommand {
    return new SegcCommand(name);
  }

  missingArgument(): never {
    throw new UsageError(`${this.name()} needs ${this.missing}`, this);
  }
}

function version(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Long option name → value, as the command modules read them (`weight-decay`, not `weightDecay`). */
function parsedOf(command: Command, positionals: string[]): Parsed {
  const values: Parsed['values'] = {};
  for (const option of command.options) {
    const value = command.getOptionValue(option.attributeName()) as Parsed['values'][string];
    if (option.long && value !== undefined) values[option.long.slice(2)] = value;
  }
  return { positionals, values };
}

function addCommand(
  parent: SegcCommand,
  def: CommandDef,
  io: Io,
  ran: (code: number) => void,
  active: (command: Command) => void,
): void {
  const command = parent.command(def.name).description(def.summary) as SegcCommand;
  if (def.argument) {
    command.argument(def.argument.syntax, def.argument.description);
    command.missing = def.argument.missing;
  }
  for (const option of def.options) {
    const made = new Option(option.flags, option.description + (option.repeat ? ' (repeatable)' : ''));
    if (option.fallback !== undefined) made.default(option.fallback, option.fallback);
    if (option.repeat) made.argParser(collect);
    command.addOption(made);
  }
  if (def.examples?.length) command.addHelpText('after', `\nexample:\n${def.examples.map((e) => `  ${e}`).join('\n')}`);
  for (const sub of def.subcommands ?? []) addCommand(command, sub, io, ran, active);
  // A parent with subcommands runs only to report an unknown kind, whatever follows it.
  if (def.subcommands) command.allowUnknownOption().allowExcessArguments();
  command.action(async () => {
    active(command);
    const positionals = command.args.filter((a) => typeof a === 'string');
    const run: CommandRun = await def.load();
    ran(await run(parsedOf(command, positionals), io));
  });
}

export function program(
  io: Io,
  ran: (code: number) => void = () => {},
  active: (command: Command) => void = () => {},
): Command {
  const root = new SegcCommand('segc')
    .description('A declarative language and compiler for CNN architectures, with a TensorFlow.js runtime.')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help (also: segc help COMMAND)')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) }) as SegcCommand;
  root.addHelpText(
    'after',
    '\nexit codes: 0 success, 1 errors in the input, 2 usage, 3 internal error\n`segc COMMAND --help` lists the options of a command.',
  );
  for (const def of COMMANDS) addCommand(root, def, io, ran, active);
  return root;
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  if (io === processIo) endQuietlyWhenStdoutCloses();
  let code = 0;
  let running: Command | undefined;
  const cli = program(
    io,
    (result) => void (code = result),
    (command) => void (running = command),
  );
  try {
    await cli.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    const command = (error instanceof UsageError ? (error.command as Command | undefined) : undefined) ?? running;
    return handleError(error, command ? commandPath(command) : 'segc', command, io);
  }
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

async function handleError(error: unknown, name: string, command: Command | undefined, io: Io): Promise<number> {
  if (error instanceof CommanderError) {
    // Help asked for and --version exit 0; everything else commander reports is a usage error.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof UsageError) {
    const usage = command ? `\nusage: ${name} ${command.usage()}\n(${name} --help lists every option)` : '';
    io.err(`${name}: ${error.message}${usage}`);
    return 2;
  }
  const { DiagnosticError, InternalError } = await import('../diagnostics/diagnostic.js');
  if (error instanceof DiagnosticError) {
    const { renderDiagnostics } = await import('../diagnostics/render.js');
    if (error.diagnostics.length > 0) io.err(renderDiagnostics(error.diagnostics, new Map()));
    return 1;
  }
  const detail =
    error instanceof InternalError
      ? error.message
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
  io.err(
    `${name}: internal error: ${detail}\nThis is a bug in segc, not in your input; please report it with the command you ran.`,
  );
  if (process.env.SEGC_DEBUG) io.err(String((error as Error)?.stack ?? ''));
  return 3;
}
