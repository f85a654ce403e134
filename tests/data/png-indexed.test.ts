import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { vocPalette } from '../../src/runtime/image.js';
import { decodeMask } from '../../src/data/node/codecs.js';
import { readIndexedPng, writeIndexedPng } from '../../src/data/node/png-indexed.js';
import { Random } from '../../src/data/random.js';
import { pngChunk } from './fixtures.js';

/**
 * An independent encoder for the reader to decode: packs samples at any bit depth and applies
 * the given filter to every row (the PNG specification's filter definitions, on the encoding side).
 */
function encodeFiltered(
  values: Uint8Array,
  width: number,
  height: number,
  bitDepth: number,
  filter: number,
  palette?: Uint8Array,
): Buffer {
  const rowBytes = Math.ceil((width * bitDepth) / 8);
  const rows: Uint8Array[] = [];
  for (let y = 0; y < height; y++) {
    const row = new Uint8Array(rowBytes);
    for (let x = 0; x < width; x++)
      row[Math.floor((x * bitDepth) / 8)]! |= values[y * width + x]! << (8 - bitDepth - ((x * bitDepth) % 8));
    rows.push(row);
  }
  const filtered = Buffer.alloc((rowBytes + 1) * height);
  rows.forEach((row, y) => {
    const above = y > 0 ? rows[y - 1]! : new Uint8Array(rowBytes);
    filtered[y * (rowBytes + 1)] = filter;
    for (let x = 0; x < rowBytes; x++) {
      const a = x > 0 ? row[x - 1]! : 0;
      const b = above[x]!;
      const c = x > 0 ? above[x - 1]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const prediction = [0, a, b, (a + b) >> 1, paeth][filter]!;
      filtered[y * (rowBytes + 1) + 1 + x] = (row[x]! - prediction) & 0xff;
    }
  });
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = palette ? 3 : 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    ...(palette ? [pngChunk('PLTE', palette)] : []),
    pngChunk('IDAT', deflateSync(filtered)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function randomValues(count: number, limit: number, seed: number): Uint8Array {
  const random = new Random(seed);
  return Uint8Array.from({ length: count }, () => random.integer(0, limit));
}

describe('single-channel PNG reader', () => {
  const width = 13;
  const height = 7;
  for (const bitDepth of [1, 2, 4, 8]) {
    for (const filter of [0, 1, 2, 3, 4]) {
      it(`reads ${bitDepth}-bit palette data under filter ${filter}`, () => {
        const values = randomValues(width * height, 2 ** bitDepth, bitDepth * 10 + filter);
        const png = readIndexedPng(
          encodeFiltered(values, width, height, bitDepth, filter, vocPalette().subarray(0, 3 * 2 ** bitDepth)),
        );
        expect(png.colourType).toBe(3);
        expect(Array.from(png.values)).toEqual(Array.from(values));
      });
    }
  }

  it('reads grey PNGs written by pngjs (its adaptive filters)', () => {
    const values = randomValues(width * height, 256, 3);
    const png = new PNG({ width, height });
    png.data = Buffer.from(
      Uint8Array.from({ length: width * height * 4 }, (_, index) =>
        index % 4 === 3 ? 255 : values[Math.floor(index / 4)]!,
      ),
    );
    const bytes = PNG.sync.write(png, { colorType: 0, inputColorType: 6 });
    expect(Array.from(readIndexedPng(bytes).values)).toEqual(Array.from(values));
  });

  it('writes palette PNGs that pngjs decodes to the palette colours', () => {
    const values = randomValues(width * height, 256, 4);
    const palette = vocPalette();
    const decoded = PNG.sync.read(writeIndexedPng(values, width, height, palette));
    for (let pixel = 0; pixel < values.length; pixel++) {
      expect(Array.from(decoded.data.subarray(pixel * 4, pixel * 4 + 3))).toEqual(
        Array.from(palette.subarray(values[pixel]! * 3, values[pixel]! * 3 + 3)),
      );
    }
    expect(Array.from(readIndexedPng(writeIndexedPng(values, width, height, palette)).values)).toEqual(
      Array.from(values),
    );
  });

  it('takes the red channel of colour masks', () => {
    const png = new PNG({ width: 2, height: 1 });
    png.data = Buffer.from([3, 200, 9, 255, 255, 0, 0, 255]);
    expect(Array.from(decodeMask(PNG.sync.write(png)).values)).toEqual([3, 255]);
  });

  it('rejects what it cannot read exactly', () => {
    expect(() => decodeMask(Buffer.from('not a png at all, just text'))).toThrow(/PNG/);
    const wide = new PNG({ width: 2, height: 2, bitDepth: 16 });
    expect(() => decodeMask(PNG.sync.write(wide, { colorType: 0, inputColorType: 6, bitDepth: 16 }))).toThrow(/16-bit/);
    expect(() => readIndexedPng(encodeFiltered(new Uint8Array(4), 2, 2, 8, 0).subarray(0, 40))).toThrow();
  });
});
