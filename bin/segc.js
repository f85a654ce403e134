#!/usr/bin/env node
// tfjs-core's ES build (gradient definitions) needs a resolution hook in plain Node; it must be
// registered before anything imports the runtime.
import { enableTfjsEsmResolution } from '../dist/runtime/node/esm-resolution.js';

enableTfjsEsmResolution();
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
