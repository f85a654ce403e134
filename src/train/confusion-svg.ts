/**
 * A confusion matrix as an SVG heat map: rows are the true classes, columns the predicted ones,
 * each cell shaded by its share of the row (so rare classes are as readable as common ones)
 * and labelled with that share. The margins grow with the class names, and the title and the
 * caption wrap, so nothing is cut whatever the names and the class count.
 */
import type { ConfusionMatrix } from '../metrics/confusion-matrix.js';
import { escapeXml, textWidth, wrapText } from './svg-text.js';

const CELL = 44;
const FONT = 11;
const TITLE_FONT = 13;
const PAD = 8;
const MIN_WIDTH = 300;
const CAPTION = 'rows: truth, columns: prediction, cells: share of the row';
/** Column names are turned 45° up and to the right. */
const DIAGONAL = Math.SQRT1_2;

/** White to dark blue. */
function shade(fraction: number): string {
  const level = (channel: number) => Math.round(255 + (channel - 255) * fraction);
  return `rgb(${level(8)},${level(48)},${level(107)})`;
}

interface Layout {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly titleLines: readonly string[];
  readonly captionLines: readonly string[];
}

function layout(n: number, names: readonly string[], title: string): Layout {
  const longest = Math.max(0, ...names.slice(0, n).map((name) => textWidth(name, FONT)));
  const left = PAD + longest + 8;
  // A turned name rises and reaches right by `length / √2`, from the middle of its column.
  const reach = longest * DIAGONAL + FONT;
  const width = Math.max(MIN_WIDTH, left + n * CELL + Math.max(PAD, reach - CELL / 2) + PAD);
  const titleLines = wrapText(title, width - 2 * PAD, TITLE_FONT, 3);
  const captionLines = wrapText(CAPTION, width - 2 * PAD, FONT, 3);
  const top = PAD + titleLines.length * (TITLE_FONT + 4) + reach + 6;
  return { left, top, width, titleLines, captionLines };
}

export function confusionMatrixSvg(matrix: ConfusionMatrix, names: readonly string[], title: string): string {
  const n = matrix.classes;
  const labelOf = (index: number) => names[index] ?? String(index);
  const { left, top, width, titleLines, captionLines } = layout(
    n,
    Array.from({ length: n }, (_, i) => labelOf(i)),
    title,
  );
  const parts: string[] = [];
  for (let truth = 0; truth < n; truth++) {
    const rowTotal = Array.from({ length: n }, (_, p) => matrix.count(truth, p)).reduce((a, b) => a + b, 0);
    for (let predicted = 0; predicted < n; predicted++) {
      const fraction = rowTotal > 0 ? matrix.count(truth, predicted) / rowTotal : 0;
      const x = left + predicted * CELL;
      const y = top + truth * CELL;
      parts.push(
        `<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" fill="${shade(fraction)}" stroke="#ccc"><title>${escapeXml(`${labelOf(truth)} → ${labelOf(predicted)}: ${matrix.count(truth, predicted)}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${x + CELL / 2}" y="${y + CELL / 2 + 4}" text-anchor="middle" fill="${fraction > 0.5 ? 'white' : 'black'}">${rowTotal > 0 ? fraction.toFixed(2) : '–'}</text>`,
      );
    }
  }
  const labels = Array.from({ length: n }, (_, index) => [
    `<text x="${left - 6}" y="${top + index * CELL + CELL / 2 + 4}" text-anchor="end">${escapeXml(labelOf(index))}</text>`,
    `<text transform="translate(${left + index * CELL + CELL / 2},${top - 6}) rotate(-45)">${escapeXml(labelOf(index))}</text>`,
  ]).flat();
  const captionTop = top + n * CELL + PAD;
  const height = captionTop + captionLines.length * (FONT + 4) + PAD;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width.toFixed(0)}" height="${height.toFixed(0)}" viewBox="0 0 ${width.toFixed(0)} ${height.toFixed(0)}" font-family="sans-serif" font-size="${FONT}">`,
    '<rect width="100%" height="100%" fill="white"/>',
    ...titleLines.map(
      (line, i) =>
        `<text x="${PAD}" y="${PAD + (i + 1) * (TITLE_FONT + 4) - 4}" font-size="${TITLE_FONT}">${escapeXml(line)}</text>`,
    ),
    ...parts,
    ...labels,
    ...captionLines.map(
      (line, i) => `<text x="${PAD}" y="${captionTop + (i + 1) * (FONT + 4) - 3}">${escapeXml(line)}</text>`,
    ),
    '</svg>',
    '',
  ].join('\n');
}
