/** What the playground page puts on `window`: Monaco (loaded by index.html) and, for tests, its editor. */
import type * as Monaco from 'monaco-editor';

declare global {
  interface Window {
    monaco: typeof Monaco;
    /** The editor, and the version whose diagnostics are shown. */
    playground?: { editor: Monaco.editor.IStandaloneCodeEditor; shown: { version: number; shapes: boolean } };
  }
}

export {};
