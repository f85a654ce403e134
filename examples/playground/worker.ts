/**
 * The playground's language worker: the same language service as `segc lsp` (src/lsp), over the
 * edited text and the standard library bundled into the worker. Each edit gets the diagnostics
 * of names and checks at once, then those of the elaborated models and the first model's diagram.
 */
import { sources } from 'segc:bundled-sources';
import { toSvg } from '../../src/ir/export/svg.js';
import type { Graph } from '../../src/ir/graph.js';
import type { SizeSpace } from '../../src/shapes/sizes.js';
import { Workspace } from '../../src/lsp/analysis.js';
import { editorDiagnostics } from '../../src/lsp/diagnostics.js';
import { hover } from '../../src/lsp/hover.js';
import { memoryHost } from '../../src/web/memory-host.js';
import { PLAYGROUND_FILE, type Reply, type Request } from './protocol.js';

const workspace = new Workspace(memoryHost(sources.files));
let latest = 0;
let pending: ReturnType<typeof setTimeout> | undefined;

const post = (reply: Reply) => (self as unknown as Worker).postMessage(reply);

function update(version: number, text: string): void {
  latest = version;
  workspace.open(PLAYGROUND_FILE, text);
  post({
    kind: 'diagnostics',
    version,
    shapes: false,
    diagnostics: editorDiagnostics(workspace, PLAYGROUND_FILE, workspace.check(PLAYGROUND_FILE).diagnostics),
  });
  clearTimeout(pending);
  // Elaborate once the edits pause, so a burst of typing is not held up by shape checking.
  pending = setTimeout(() => {
    if (version !== latest) return;
    const analysis = workspace.elaborate(PLAYGROUND_FILE);
    post({
      kind: 'diagnostics',
      version,
      shapes: true,
      diagnostics: editorDiagnostics(workspace, PLAYGROUND_FILE, analysis.diagnostics),
    });
    const model = analysis.compiled?.models.find((m) => m.graph);
    if (model?.graph)
      diagram(version, model.graph, model.sizes).catch((error: unknown) => console.error(`diagram: ${String(error)}`));
  }, 0);
}

/** Sizes print as the summary prints them (`H/16`). */
async function diagram(version: number, graph: Graph, sizes: SizeSpace): Promise<void> {
  const svg = await toSvg(graph, { formatDim: (d) => sizes.format(d) });
  if (version === latest) post({ kind: 'diagram', version, model: graph.model, svg });
}

self.onmessage = (event: MessageEvent<Request>) => {
  const request = event.data;
  if (request.kind === 'update') return update(request.version, request.text);
  const analysis = workspace.elaborate(PLAYGROUND_FILE);
  const found = hover(workspace, analysis, workspace.linesOf(PLAYGROUND_FILE, analysis.text).offset(request));
  post({ kind: 'hover', id: request.id, ...(found ? { contents: found.contents, range: found.range } : {}) });
};
