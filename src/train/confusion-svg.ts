/**
 * A confusion matrix as an SVG heat map: rows are the true classes, columns the predicted ones,
 * each cell shaded by its share of the row (so rare classes are as readable as common ones)
 * and labelled with that share.
 */
import type { ConfusionMatrix } from '../metrics/confusion-matrix.js';

const CELL = 44;
const LABEL_SPACE = 96;

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

/** White to dark blue. */
function shade(fraction: number): string {
  const level = (channel: number) => Math.round(255 + (channel - 255) * fraction);
  return `rgb(${level(8)},${level(48)},${level(107)})`;
}

export function confusionMatrixSvg(matrix: ConfusionMatrix, names: readonly string[], title: string): string {
  const n = matrix.classes;
  const size = LABEL_SPACE + n * CELL + 16;
  const parts: string[] = [];
  for (let truth = 0; truth < n; truth++) {
    const rowTotal = Array.from({ length: n }, (_, p) => matrix.count(truth, p)).reduce((a, b) => a + b, 0);
    for (let predicted = 0; predicted < n; predicted++) {
      const fraction = rowTotal > 0 ? matrix.count(truth, predicted) / rowTotal : 0;
      const x = LABEL_SPACE + predicted * CELL;
      const y = LABEL_SPACE + truth * CELL;
      parts.push(`<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" fill="${shade(fraction)}" stroke="#ccc"><title>${escapeXml(`${names[truth] ?? truth} → ${names[predicted] ?? predicted}: ${matrix.count(truth, predicted)}`)}</title></rect>`);
      parts.push(`<text x="${x + CELL / 2}" y="${y + CELL / 2 + 4}" text-anchor="middle" fill="${fraction > 0.5 ? 'white' : 'black'}">${rowTotal > 0 ? fraction.toFixed(2) : '–'}</text>`);
    }
  }
  const labels = names.slice(0, n).flatMap((name, index) => [
    `<text x="${LABEL_SPACE - 6}" y="${LABEL_SPACE + index * CELL + CELL / 2 + 4}" text-anchor="end">${escapeXml(name)}</text>`,
    `<text transform="translate(${LABEL_SPACE + index * CELL + CELL / 2},${LABEL_SPACE - 6}) rotate(-45)">${escapeXml(name)}</text>`,
  ]);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size + 20}" viewBox="0 0 ${size} ${size + 20}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="8" y="16" font-size="13">${escapeXml(title)}</text>`,
    `<text x="8" y="${size + 12}">rows: truth, columns: prediction, cells: share of the row</text>`,
    ...parts,
    ...labels,
    '</svg>',
    '',
  ].join('\n');
}
