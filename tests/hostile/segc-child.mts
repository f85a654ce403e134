// Runs the segc command line from source in a child process, for inputs that once crashed Node
// itself (a fatal V8 error cannot be caught in-process). Usage: node --import tsx segc-child.mts ARGS...
const { main } = await import('../../src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
