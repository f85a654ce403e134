/**
 * The training curve as a standalone SVG: loss per epoch on the left axis, accuracies (training
 * and validation scores, all in [0, 1]) on the right, the legend below the plot so it never
 * covers data, axis titles turned along their axes. Written by hand rather than with a plotting
 * library: a few polylines and texts, a static file with no script, and no dependency to carry
 * into the browser bundle. The values drawn travel with the drawing in `<metadata>` (JSON), so a
 * curve can be redrawn exactly.
 */
import type { EpochRecord } from './state.js';
import { escapeXml, textWidth, wrapText } from './svg-text.js';

const WIDTH = 640;
const PLOT_HEIGHT = 260;
const FONT = 11;
const TITLE_FONT = 13;
const LINE = 16;
const MARGIN = { left: 62, right: 62, side: 12 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const SWATCH = 10;
const ENTRY_GAP = 18;

interface Series {
  readonly name: string;
  readonly values: readonly (number | null)[];
  /** Plotted against the right axis, [0, 1]. */
  readonly unit: boolean;
}

function seriesOf(history: readonly EpochRecord[]): Series[] {
  const series: Series[] = [
    { name: 'loss', values: history.map((r) => r.loss), unit: false },
    { name: 'train accuracy', values: history.map((r) => r.accuracy), unit: true },
  ];
  const keys = [...new Set(history.flatMap((r) => Object.keys(r.validation ?? {})))];
  for (const key of keys)
    series.push({ name: `val ${key}`, values: history.map((r) => r.validation?.[key] ?? null), unit: true });
  return series;
}

function format(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(2);
}

function polyline(
  values: readonly (number | null)[],
  x: (i: number) => number,
  y: (v: number) => number,
  colour: string,
): string {
  const points = values.flatMap((v, i) =>
    v === null || !Number.isFinite(v) ? [] : [[x(i).toFixed(1), y(v).toFixed(1)] as const],
  );
  const dots = points.map(([cx, cy]) => `<circle cx="${cx}" cy="${cy}" r="2.5" fill="${colour}"/>`).join('');
  return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map((p) => p.join(',')).join(' ')}"/>${dots}`;
}

interface Frame {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

function axes(frame: Frame, lossMax: number, epochs: number, x: (i: number) => number): string[] {
  const { top, bottom, left, right } = frame;
  const parts = [
    `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#888"/>`,
  ];
  for (let tick = 0; tick <= 4; tick++) {
    const y = bottom - (tick / 4) * (bottom - top);
    parts.push(`<line x1="${left}" x2="${right}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${left - 6}" y="${y + 4}" text-anchor="end">${format((lossMax * tick) / 4)}</text>`);
    parts.push(`<text x="${right + 6}" y="${y + 4}">${(tick / 4).toFixed(2)}</text>`);
  }
  const step = Math.max(1, Math.ceil(epochs / 10));
  for (let i = 0; i < epochs; i += step)
    parts.push(`<text x="${x(i).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${i + 1}</text>`);
  parts.push(`<text x="${(left + right) / 2}" y="${bottom + 32}" text-anchor="middle">epoch</text>`);
  const middle = (top + bottom) / 2;
  parts.push(
    `<text transform="translate(${MARGIN.side + FONT / 2},${middle}) rotate(-90)" text-anchor="middle">loss</text>`,
  );
  parts.push(
    `<text transform="translate(${WIDTH - MARGIN.side - FONT / 2},${middle}) rotate(90)" text-anchor="middle">accuracy / score</text>`,
  );
  return parts;
}

/** Legend entries in rows under the plot, each row as wide as the plot at most. */
function legend(
  series: readonly Series[],
  left: number,
  right: number,
  top: number,
): { parts: string[]; height: number } {
  const parts: string[] = [];
  let x = left;
  let row = 0;
  series.forEach((s, index) => {
    const width = SWATCH + 4 + textWidth(s.name, FONT);
    if (x > left && x + width > right) {
      x = left;
      row++;
    }
    const y = top + row * LINE;
    parts.push(
      `<g transform="translate(${x.toFixed(1)},${y})"><rect width="${SWATCH}" height="${SWATCH}" y="-9" fill="${COLOURS[index % COLOURS.length]}"/><text x="${SWATCH + 4}">${escapeXml(s.name)}</text></g>`,
    );
    x += width + ENTRY_GAP;
  });
  return { parts, height: (row + 1) * LINE };
}

export function trainingCurveSvg(history: readonly EpochRecord[], title: string): string {
  const epochs = Math.max(history.length, 1);
  const series = seriesOf(history);
  const losses = history.map((r) => r.loss).filter(Number.isFinite);
  const lossMax = Math.max(1e-6, ...losses) * 1.05;
  const titleLines = wrapText(title, WIDTH - 2 * MARGIN.side, TITLE_FONT);
  const top = 10 + titleLines.length * (TITLE_FONT + 4) + 10;
  const frame: Frame = { top, bottom: top + PLOT_HEIGHT, left: MARGIN.left, right: WIDTH - MARGIN.right };
  const span = frame.right - frame.left;
  const x = (i: number) => frame.left + (epochs === 1 ? span / 2 : (i / (epochs - 1)) * span);
  const lines = series.map((s, index) => {
    const scale = s.unit ? 1 : lossMax;
    return polyline(
      s.values,
      x,
      (v) => frame.bottom - (v / scale) * (frame.bottom - frame.top),
      COLOURS[index % COLOURS.length]!,
    );
  });
  const key = legend(series, frame.left, frame.right, frame.bottom + 54);
  const height = frame.bottom + 54 + key.height;
  const data = series.map((s) => ({ name: s.name, axis: s.unit ? 'right' : 'left', values: s.values }));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="${FONT}">`,
    `<metadata>${escapeXml(JSON.stringify({ title, series: data }))}</metadata>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...titleLines.map(
      (line, i) =>
        `<text x="${WIDTH / 2}" y="${10 + (i + 1) * (TITLE_FONT + 4) - 4}" text-anchor="middle" font-size="${TITLE_FONT}">${escapeXml(line)}</text>`,
    ),
    ...axes(frame, lossMax, epochs, x),
    ...lines,
    ...key.parts,
    '</svg>',
    '',
  ].join('\n');
}

export interface ScoreCurve {
  readonly title: string;
  /** The title of the horizontal axis, e.g. `share of images with masks`. */
  readonly xTitle: string;
  /** One label per point along the horizontal axis, evenly spaced (e.g. `1%`, `5%`, `20%`, `100%`). */
  readonly xLabels: readonly string[];
  /** Scores in [0, 1], one per x label (null where not measured). */
  readonly series: readonly { readonly name: string; readonly values: readonly (number | null)[] }[];
}

/**
 * Scores against a setting (a share of masks, a noise rate), in the style of the training curve:
 * scores on a [0, 1] axis, the settings evenly spaced along the bottom, the legend below, the
 * values in `<metadata>`.
 */
export function scoreCurveSvg(curve: ScoreCurve): string {
  const points = Math.max(curve.xLabels.length, 1);
  const titleLines = wrapText(curve.title, WIDTH - 2 * MARGIN.side, TITLE_FONT);
  const top = 10 + titleLines.length * (TITLE_FONT + 4) + 10;
  const frame: Frame = { top, bottom: top + PLOT_HEIGHT, left: MARGIN.left, right: WIDTH - MARGIN.right };
  const span = frame.right - frame.left;
  const x = (i: number) => frame.left + (points === 1 ? span / 2 : (i / (points - 1)) * span);
  const y = (v: number) => frame.bottom - v * (frame.bottom - frame.top);
  const { bottom, left, right } = frame;
  const grid = [
    `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#888"/>`,
  ];
  for (let tick = 0; tick <= 4; tick++) {
    const at = y(tick / 4);
    grid.push(`<line x1="${left}" x2="${right}" y1="${at}" y2="${at}" stroke="#eee"/>`);
    grid.push(`<text x="${left - 6}" y="${at + 4}" text-anchor="end">${(tick / 4).toFixed(2)}</text>`);
  }
  curve.xLabels.forEach((label, i) =>
    grid.push(`<text x="${x(i).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${escapeXml(label)}</text>`),
  );
  grid.push(
    `<text x="${(left + right) / 2}" y="${bottom + 32}" text-anchor="middle">${escapeXml(curve.xTitle)}</text>`,
  );
  grid.push(
    `<text transform="translate(${MARGIN.side + FONT / 2},${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">score</text>`,
  );
  const series: Series[] = curve.series.map((s) => ({ name: s.name, values: s.values, unit: true }));
  const lines = series.map((s, index) => polyline(s.values, x, y, COLOURS[index % COLOURS.length]!));
  const key = legend(series, left, right, bottom + 54);
  const height = bottom + 54 + key.height;
  const data = { title: curve.title, x: curve.xLabels, series: curve.series };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="${FONT}">`,
    `<metadata>${escapeXml(JSON.stringify(data))}</metadata>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...titleLines.map(
      (line, i) =>
        `<text x="${WIDTH / 2}" y="${10 + (i + 1) * (TITLE_FONT + 4) - 4}" text-anchor="middle" font-size="${TITLE_FONT}">${escapeXml(line)}</text>`,
    ),
    ...grid,
    ...lines,
    ...key.parts,
    '</svg>',
    '',
  ].join('\n');
}
