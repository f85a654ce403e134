/**
 * Removes nodes no output depends on (model inputs always stay: they are the interface); a
 * removed node maps to nothing.
 */
import type { Pass } from './pass.js';
import { rebuild, unchanged } from './pass.js';

export const removeDeadNodes: Pass = {
  name: 'remove-dead-nodes',
  modes: ['source', 'inference', 'training'],
  run(graph) {
    const live = new Set<number>(graph.inputs.map((i) => i.node));
    const pending = graph.outputs.map((o) => o.node);
    while (pending.length) {
      const id = pending.pop()!;
      if (live.has(id) && graph.nodes[id]!.op !== 'input') continue;
      live.add(id);
      pending.push(...graph.nodes[id]!.inputs.filter((i) => !live.has(i)));
    }
    return live.size === graph.nodes.length ? unchanged(graph) : rebuild(graph, (n) => live.has(n.id));
  },
};
