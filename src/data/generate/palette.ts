/**
 * The PASCAL VOC colour map for palette-indexed masks: index i gets a colour built from the
 * bits of i spread over red, green and blue, so neighbouring classes look distinct and the
 * ignore index 255 is a pale (224, 224, 192).
 */
export function vocPalette(): Uint8Array {
  const palette = new Uint8Array(256 * 3);
  for (let index = 0; index < 256; index++) {
    let [red, green, blue] = [0, 0, 0];
    for (let bit = 0, rest = index; bit < 8; bit++, rest >>= 3) {
      red |= ((rest >> 0) & 1) << (7 - bit);
      green |= ((rest >> 1) & 1) << (7 - bit);
      blue |= ((rest >> 2) & 1) << (7 - bit);
    }
    palette.set([red, green, blue], index * 3);
  }
  return palette;
}
