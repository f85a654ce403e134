/**
 * Reading and writing single-channel PNGs (palette-indexed or grey) as raw sample values.
 * General PNG decoders expand a palette to colours, which loses the class indices a palette
 * mask stores; here the indices come back as they are in the file. Interlaced files are not
 * read (callers fall back to a colour decoder where that is exact).
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export const PNG_GREY = 0;
export const PNG_PALETTE = 3;

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colourType: number;
  readonly interlaced: boolean;
}

export interface IndexedPng extends PngHeader {
  /** One value per pixel, row-major. */
  readonly values: Uint8Array;
}

interface Chunks {
  readonly header: PngHeader;
  readonly data: Buffer;
}

/** The header and concatenated image data; throws Error on a malformed file. */
function readChunks(bytes: Uint8Array): Chunks {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 33 || !buffer.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let header: PngHeader | undefined;
  const data: Buffer[] = [];
  for (let at = 8; at + 12 <= buffer.length;) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    const body = buffer.subarray(at + 8, at + 8 + length);
    if (body.length !== length) throw new Error(`the ${type} chunk is cut short`);
    if (type === 'IHDR') header = parseHeader(body);
    if (type === 'IDAT') data.push(body);
    if (type === 'IEND') break;
    at += 12 + length;
  }
  if (!header) throw new Error('no IHDR chunk');
  return { header, data: Buffer.concat(data) };
}

function parseHeader(body: Buffer): PngHeader {
  return {
    width: body.readUInt32BE(0),
    height: body.readUInt32BE(4),
    bitDepth: body[8]!,
    colourType: body[9]!,
    interlaced: body[12] === 1,
  };
}

export function readPngHeader(bytes: Uint8Array): PngHeader {
  return readChunks(bytes).header;
}

/** Raw values of a non-interlaced grey or palette PNG with 1, 2, 4 or 8 bits per pixel. */
export function readIndexedPng(bytes: Uint8Array): IndexedPng {
  const { header, data } = readChunks(bytes);
  const { width, height, bitDepth } = header;
  if (header.interlaced || ![PNG_GREY, PNG_PALETTE].includes(header.colourType) || ![1, 2, 4, 8].includes(bitDepth)) {
    throw new Error(
      `not a plain single-channel PNG (colour type ${header.colourType}, ${bitDepth} bits, interlaced: ${header.interlaced})`,
    );
  }
  const rowBytes = Math.ceil((width * bitDepth) / 8);
  const raw = inflateSync(data);
  if (raw.length < (rowBytes + 1) * height) throw new Error('the image data is shorter than its size says');
  const values = new Uint8Array(width * height);
  let previous: Uint8Array = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const start = y * (rowBytes + 1);
    const row = unfilter(raw[start]!, raw.subarray(start + 1, start + 1 + rowBytes), previous);
    unpack(row, bitDepth, values.subarray(y * width, (y + 1) * width));
    previous = row;
  }
  return { ...header, values };
}

/** Undoes one row's filter; one byte per pixel step, as every format read here has. */
function unfilter(filter: number, line: Uint8Array, above: Uint8Array): Uint8Array {
  const row = new Uint8Array(line.length);
  for (let x = 0; x < line.length; x++) {
    const left = x > 0 ? row[x - 1]! : 0;
    const up = above[x]!;
    const upLeft = x > 0 ? above[x - 1]! : 0;
    row[x] = (line[x]! + predictor(filter, left, up, upLeft)) & 0xff;
  }
  return row;
}

function predictor(filter: number, left: number, up: number, upLeft: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return (left + up) >> 1;
    case 4:
      return paeth(left, up, upLeft);
    default:
      throw new Error(`unknown row filter ${filter}`);
  }
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const [toLeft, toUp, toUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/** Splits packed samples (most significant bits first) into one byte each. */
function unpack(row: Uint8Array, bitDepth: number, out: Uint8Array): void {
  if (bitDepth === 8) {
    out.set(row.subarray(0, out.length));
    return;
  }
  const perByte = 8 / bitDepth;
  const maskBits = (1 << bitDepth) - 1;
  for (let x = 0; x < out.length; x++) {
    const shift = 8 - bitDepth * ((x % perByte) + 1);
    out[x] = (row[Math.floor(x / perByte)]! >> shift) & maskBits;
  }
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, tail]);
}

/**
 * An 8-bit PNG of the given values: palette-indexed when `palette` (RGB triples) is given,
 * grey otherwise. Rows are stored unfiltered, so the bytes depend on the values alone.
 */
export function writeIndexedPng(values: Uint8Array, width: number, height: number, palette?: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = palette ? PNG_PALETTE : PNG_GREY;
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) rows.set(values.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    ...(palette ? [chunk('PLTE', palette)] : []),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
