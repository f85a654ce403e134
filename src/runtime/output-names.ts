/**
 * Names for the files written per input image. Outputs are named after the image's file name,
 * so two images with the same name in different folders (`a/x.png`, `b/x.png`) would overwrite
 * each other's results; the later ones get `-2`, `-3`, … instead. Names are compared without
 * case, because macOS and Windows file systems do.
 */

/** The last segment of a path without its extension, for `/` and `\` separators alike. */
function stemOf(path: string): string {
  const name = path.split(/[\\/]/).pop() ?? path;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** One distinct output stem per image, in order; the first of each name keeps it unchanged. */
export function outputStems(images: readonly string[]): string[] {
  const taken = new Set<string>();
  return images.map((path) => {
    const stem = stemOf(path) || 'image';
    let candidate = stem;
    for (let count = 2; taken.has(candidate.toLowerCase()); count++) candidate = `${stem}-${count}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}
