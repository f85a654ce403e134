import { describe, expect, it } from 'vitest';
import { toMermaid } from '../../src/ir/export/mermaid.js';
import { ASPP_EDGES, NASTY, asppGraph, nastyGraph } from './fixtures.js';

interface ReadMermaid {
  readonly nodes: Map<string, { shape: 'input' | 'box' | 'output'; label: string; parent: string }>;
  readonly subgraphs: Map<string, { title: string; parent: string }>;
  readonly edges: string[];
}

const NODE = /^(\w+)(?:\[\/"([^"]*)"\/\]:::input|\["([^"]*)"\]|\(\["([^"]*)"\]\):::output)$/;

/** Reads back the subset of Mermaid the exporter writes; any other line is an error. */
function readMermaid(text: string): ReadMermaid {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('flowchart TD');
  const read: ReadMermaid = { nodes: new Map(), subgraphs: new Map(), edges: [] };
  const stack = ['root'];
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    const subgraph = /^subgraph (\w+)\["([^"]*)"\]$/.exec(line);
    const node = NODE.exec(line);
    const edge = /^(\w+) --> (\w+)$/.exec(line);
    if (subgraph) {
      read.subgraphs.set(subgraph[1]!, { title: subgraph[2]!, parent: stack.at(-1)! });
      stack.push(subgraph[1]!);
    } else if (line === 'end') stack.pop();
    else if (node) {
      const shape = node[2] !== undefined ? 'input' : node[3] !== undefined ? 'box' : 'output';
      read.nodes.set(node[1]!, { shape, label: node[2] ?? node[3] ?? node[4]!, parent: stack.at(-1)! });
    } else if (edge) read.edges.push(`${edge[1]}->${edge[2]}`);
    else if (!line.startsWith('classDef ')) throw new Error(`unrecognised Mermaid line: ${line}`);
  }
  expect(stack).toEqual(['root']);
  return read;
}

/** Mermaid's entity codes (`#34;`, `#quot;`) back to characters. */
function decodeMermaid(text: string): string {
  return text.replace(/#(\d+|quot|lt|gt|amp);/g, (_all, code: string) => {
    const named: Record<string, string> = { quot: '"', lt: '<', gt: '>', amp: '&' };
    return named[code] ?? String.fromCodePoint(Number(code));
  });
}

describe('toMermaid', () => {
  it('declares every node once with its name, op and shape, inputs and outputs with their own shapes', () => {
    const read = readMermaid(toMermaid(asppGraph()));
    expect(read.nodes.size).toBe(19 + 2);
    expect(read.nodes.get('n0')).toMatchObject({ shape: 'input', label: 'image<br/>input<br/>[N, H, W, 3]' });
    expect(read.nodes.get('n8')).toMatchObject({
      shape: 'box',
      label: 'enc/branches/3/conv<br/>conv 3×3 d18<br/>[N, ceil(H/2), ceil(W/2), 8]',
    });
    expect(read.nodes.get('output0')).toMatchObject({ shape: 'output', label: 'logits' });
    expect(read.nodes.get('output1')).toMatchObject({ shape: 'output', label: 'mask' });
  });

  it('has exactly the edges of the IR plus one per output', () => {
    const read = readMermaid(toMermaid(asppGraph()));
    const expected = [...ASPP_EDGES.map((e) => e.replace(/(\d+)/g, 'n$1')), 'n17->output0', 'n18->output1'];
    expect([...read.edges].sort()).toEqual(expected.sort());
  });

  it('nests one subgraph per block call', () => {
    const read = readMermaid(toMermaid(asppGraph()));
    expect(Object.fromEntries(read.subgraphs)).toEqual({
      c0: { title: 'Backbone (model.seg:30:13)', parent: 'root' },
      c1: { title: 'ASPP (model.seg:31:13)', parent: 'root' },
      c1_0: { title: 'ConvBnRelu (std/heads.seg:12:26)', parent: 'c1' },
    });
    const parentOf = (id: number): string => read.nodes.get(`n${id}`)!.parent;
    expect([0, 16, 17, 18].map(parentOf)).toEqual(['root', 'root', 'root', 'root']);
    expect([1, 2, 3].map(parentOf)).toEqual(['c0', 'c0', 'c0']);
    expect([4, 5, 6, 7, 8, 9, 10, 11, 12].map(parentOf)).toEqual(Array(9).fill('c1'));
    expect([13, 14, 15].map(parentOf)).toEqual(['c1_0', 'c1_0', 'c1_0']);
  });

  it('writes quotes, markup, entities and backticks as entity codes that decode to the original text', () => {
    const text = toMermaid(nastyGraph(), { formatDim: () => NASTY });
    const read = readMermaid(text);
    expect(decodeMermaid(read.subgraphs.get('c0')!.title)).toBe(`Odd (dir/${NASTY}.seg:2:1)`);
    const lines = read.nodes.get('n1')!.label.split('<br/>');
    expect(lines.map(decodeMermaid)).toEqual(['odd/relu', 'relu', `[${NASTY}, ${NASTY}]`]);
    expect(lines.join('')).not.toMatch(/[<>&`"]/);
  });
});
