import { describe, expect, it } from 'vitest';
import { nodeLabelLines } from '../../src/ir/export/labels.js';
import { toSvg } from '../../src/ir/export/svg.js';
import { ASPP_EDGES, NASTY, asppGraph, nastyGraph } from './fixtures.js';
import { decodeXml, xmlProblems } from './xml.js';

/** The text content of every `<text>` element, decoded. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => decodeXml(m[1]!));
}

function count(svg: string, pattern: RegExp): number {
  return [...svg.matchAll(pattern)].length;
}

describe('toSvg', () => {
  it('renders well-formed SVG with a group per node, output, cluster and edge', async () => {
    const svg = await toSvg(asppGraph());
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg).toMatch(/<svg\b[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(count(svg, /<g id="node\d+" class="node">/g)).toBe(19 + 2);
    expect(count(svg, /<g id="clust\d+" class="cluster">/g)).toBe(3);
    expect(count(svg, /<g id="edge\d+" class="edge">/g)).toBe(ASPP_EDGES.length + 2);
  });

  it('shows every line of every node label, every output and every cluster title', async () => {
    const graph = asppGraph();
    const shown = texts(await toSvg(graph));
    for (const node of graph.nodes) for (const line of nodeLabelLines(node)) expect(shown).toContain(line);
    expect(shown).toEqual(
      expect.arrayContaining(['logits', 'mask', 'TinyDeepLab', 'ASPP (model.seg:31:13)', 'Backbone (model.seg:30:13)']),
    );
  });

  it('shows hostile text exactly as written', async () => {
    const svg = await toSvg(nastyGraph(), { formatDim: () => NASTY });
    expect(xmlProblems(svg)).toEqual([]);
    const shown = texts(svg);
    expect(shown).toContain(NASTY);
    expect(shown).toContain(`Odd (dir/${NASTY}.seg:2:1)`);
    expect(shown).toContain(`[${NASTY}, ${NASTY}]`);
  });
});

describe('xmlProblems', () => {
  it('finds the mistakes it exists to find', () => {
    expect(xmlProblems('<svg><g></svg>')).toEqual(['</svg> closes <g>', 'unclosed elements: svg']);
    expect(xmlProblems('<svg a=1/>')).toEqual(['<svg> has malformed attributes: a=1']);
    expect(xmlProblems('<svg><text>a & b</text></svg>')).toEqual(['unescaped & in a & b']);
    expect(xmlProblems('<svg/><svg/>')).toEqual(['expected one root element, found 2']);
    expect(xmlProblems('<?xml version="1.0"?><!-- <a> --><svg x="&lt;"/>')).toEqual([]);
  });
});
