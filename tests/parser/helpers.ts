import { expect } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import type { Program } from '../../src/parser/ast.js';
import { parse } from '../../src/parser/index.js';

/** A deep copy without spans, for comparing trees that came from different text. */
export function stripSpans<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripSpans) as T;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key !== 'span' && key !== 'fromSpan') copy[key] = stripSpans(inner);
  }
  return copy as T;
}

/** Parses a source that must be free of errors. */
export function parseClean(source: string, file = 'test.seg'): Program {
  const result = parse(source, file);
  expect(result.diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual(
    [],
  );
  return result.program;
}

/** `code line:column message` for compact assertions. */
export function describe1(diagnostic: Diagnostic): string {
  return `${diagnostic.code} ${diagnostic.span.start.line}:${diagnostic.span.start.column} ${diagnostic.message}`;
}

/** The two example programs of the language reference. */
export const ASPP_SOURCE = `/// Atrous Spatial Pyramid Pooling (DeepLabv3).
block ASPP(x, out: int = 256, rates: int[] = [6, 12, 18], drop: float = 0.1) {
  let branches = [
    x -> conv(out, 1) -> bn -> relu,
    for r in rates: x -> conv(out, 3, dilation: r) -> bn -> relu,
    x -> gap(keep: true) -> conv(out, 1) -> bn -> relu -> upsample(like: x, mode: bilinear),
  ]
  return concat(branches) -> conv(out, 1) -> bn -> relu -> dropout(drop)
}
`;

export const DEEPLAB_SOURCE = `model DeepLabV3Plus(classes: int = 21, os: int = 16) {
  input image: f32[N, H, W, 3] where H % 16 == 0, W % 16 == 0
  let (low, high) = ResNet(image, depth: 50, outputStride: os)
  let enc = ASPP(high, rates: os == 16 ? [6, 12, 18] : [12, 24, 36])
  let body = image -> repeat 3 as i { conv(64 * (i + 1), 3) -> bn -> relu } -> maxpool(2)
  let mapA = f -> conv(1024, 3) -> relu -> conv(classes, 1) @classmap
  output logits = dec -> upsample(like: image, mode: bilinear)
  output mask = argmax(logits, axis: -1)
}
`;
