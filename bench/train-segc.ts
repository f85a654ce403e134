/**
 * The `segc` command line run from the TypeScript sources (through tsx), for the training
 * scripts in examples/train/ when `dist/` is not built: `npx tsx bench/train-segc.ts train ...`.
 */
const { main } = await import('../src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
