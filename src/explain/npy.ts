/**
 * NumPy's `.npy` format (version 1.0) for float32 arrays, so maps load with `numpy.load`:
 * the magic string, a little-endian header length, a Python dict literal giving dtype, order
 * and shape, padded with spaces to a multiple of 64 bytes and ended by a newline, then the
 * values in C order.
 */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00];
const ALIGNMENT = 64;

function header(shape: readonly number[]): string {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = MAGIC.length + 2 + dict.length + 1;
  return `${dict}${' '.repeat((ALIGNMENT - (unpadded % ALIGNMENT)) % ALIGNMENT)}\n`;
}

export function encodeNpy(values: Float32Array, shape: readonly number[]): Uint8Array {
  const text = header(shape);
  const bytes = new Uint8Array(MAGIC.length + 2 + text.length + values.length * 4);
  bytes.set(MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint16(MAGIC.length, text.length, true);
  for (let index = 0; index < text.length; index++) bytes[MAGIC.length + 2 + index] = text.charCodeAt(index);
  const offset = MAGIC.length + 2 + text.length;
  values.forEach((value, index) => view.setFloat32(offset + index * 4, value, true));
  return bytes;
}
