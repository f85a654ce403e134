/** Runs the GPU kit's bench from the repository with tsx (the kit runs the bundle instead). */
import { enableTfjsEsmResolution } from '../../src/runtime/node/esm-resolution.js';

enableTfjsEsmResolution();
await import('./main.js');
