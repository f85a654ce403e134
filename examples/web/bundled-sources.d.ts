/** The virtual module the page's build provides (see bundle.ts): the `.seg` texts the page compiles. */
declare module 'segc:bundled-sources' {
  import type { BundledSources } from '../../src/web/load-model.js';

  export const sources: BundledSources;
}
