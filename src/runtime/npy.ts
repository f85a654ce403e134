/**
 * NumPy's `.npy` format (versions 1.0 to 3.0), so tensors go in and out exactly: the magic
 * string, a little-endian header length (2 bytes in 1.0, 4 in 2.0 and 3.0), a Python dict
 * literal giving dtype, order and shape, padded with spaces and ended by a newline, then the
 * values in C order. Written as float32 version 1.0 (what `numpy.save` writes); read from the
 * numeric dtypes `numpy.save` writes for arrays people feed a model, converted to float32.
 * Browser-safe: bytes in, bytes out.
 */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const ALIGNMENT = 64;

function header(shape: readonly number[]): string {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = MAGIC.length + 4 + dict.length + 1;
  return `${dict}${' '.repeat((ALIGNMENT - (unpadded % ALIGNMENT)) % ALIGNMENT)}\n`;
}

export function encodeNpy(values: Float32Array, shape: readonly number[]): Uint8Array {
  const text = header(shape);
  const start = MAGIC.length + 4 + text.length;
  const bytes = new Uint8Array(start + values.length * 4);
  bytes.set([...MAGIC, 1, 0], 0);
  const view = new DataView(bytes.buffer);
  view.setUint16(MAGIC.length + 2, text.length, true);
  for (let index = 0; index < text.length; index++) bytes[MAGIC.length + 4 + index] = text.charCodeAt(index);
  values.forEach((value, index) => view.setFloat32(start + index * 4, value, true));
  return bytes;
}

/** A `.npy` file's contents, or why it cannot be read (a sentence for an error message). */
export type DecodedNpy = { readonly shape: number[]; readonly values: Float32Array } | { readonly problem: string };

type Reader = (view: DataView, offset: number) => number;

/** The dtypes read, by their `descr`: little-endian (or byte-order-free) numbers only. */
const READERS: Readonly<Record<string, { size: number; read: Reader }>> = {
  '<f4': { size: 4, read: (v, o) => v.getFloat32(o, true) },
  '<f8': { size: 8, read: (v, o) => v.getFloat64(o, true) },
  '<f2': { size: 2, read: (v, o) => halfToFloat(v.getUint16(o, true)) },
  '<i4': { size: 4, read: (v, o) => v.getInt32(o, true) },
  '<i8': { size: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  '<u2': { size: 2, read: (v, o) => v.getUint16(o, true) },
  '<i2': { size: 2, read: (v, o) => v.getInt16(o, true) },
  '|u1': { size: 1, read: (v, o) => v.getUint8(o) },
  '|i1': { size: 1, read: (v, o) => v.getInt8(o) },
  '|b1': { size: 1, read: (v, o) => v.getUint8(o) },
};

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function field(dict: string, key: string): string | undefined {
  return new RegExp(`'${key}'\\s*:\\s*('[^']*'|True|False|\\([^)]*\\))`).exec(dict)?.[1];
}

function parseHeader(dict: string): { descr: string; shape: number[] } | { problem: string } {
  const descr = field(dict, 'descr')?.slice(1, -1);
  const order = field(dict, 'fortran_order');
  const shapeText = field(dict, 'shape');
  if (descr === undefined || order === undefined || shapeText === undefined)
    return { problem: 'its header is not a NumPy dict with descr, fortran_order and shape' };
  if (order !== 'False') return { problem: 'it is in Fortran order; save it with numpy.ascontiguousarray first' };
  if (!READERS[descr])
    return {
      problem: `its dtype \`${descr}\` is not a little-endian number (read: ${Object.keys(READERS).join(', ')})`,
    };
  const parts = shapeText
    .slice(1, -1)
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const shape = parts.map(Number);
  if (!shape.every((size) => Number.isSafeInteger(size) && size >= 0))
    return { problem: `its shape ${shapeText} is not a tuple of sizes` };
  return { descr, shape };
}

export function decodeNpy(bytes: Uint8Array): DecodedNpy {
  if (bytes.length < 10 || MAGIC.some((byte, index) => bytes[index] !== byte))
    return { problem: 'it does not start with the .npy magic string' };
  const major = bytes[6]!;
  if (major < 1 || major > 3) return { problem: `it is .npy version ${major}, which this reader does not know` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes + headerLength;
  if (start > bytes.length) return { problem: 'its header is cut short' };
  const parsed = parseHeader(new TextDecoder().decode(bytes.subarray(8 + lengthBytes, start)));
  if ('problem' in parsed) return parsed;
  const reader = READERS[parsed.descr]!;
  const count = parsed.shape.reduce((product, size) => product * size, 1);
  if (bytes.length - start !== count * reader.size) {
    return {
      problem: `its shape (${parsed.shape.join(', ')}) needs ${count * reader.size} bytes of data but it holds ${bytes.length - start}`,
    };
  }
  const values = new Float32Array(count);
  for (let index = 0; index < count; index++) values[index] = reader.read(view, start + index * reader.size);
  return { shape: parsed.shape, values };
}
