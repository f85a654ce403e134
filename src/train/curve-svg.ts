/**
 * The training curve as a standalone SVG: loss per epoch on the left axis, accuracies (training
 * and validation scores, all in [0, 1]) on the right. Written by hand: a few polylines, axes and
 * a legend, no plotting library.
 */
import type { EpochRecord } from './state.js';

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 56, right: 56, top: 28, bottom: 44 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

interface Series {
  readonly name: string;
  readonly values: readonly (number | null)[];
  /** Plotted against the right axis, [0, 1]. */
  readonly unit: boolean;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function seriesOf(history: readonly EpochRecord[]): Series[] {
  const series: Series[] = [
    { name: 'loss', values: history.map((r) => r.loss), unit: false },
    { name: 'train accuracy', values: history.map((r) => r.accuracy), unit: true },
  ];
  const keys = [...new Set(history.flatMap((r) => Object.keys(r.validation ?? {})))];
  for (const key of keys) series.push({ name: `val ${key}`, values: history.map((r) => r.validation?.[key] ?? null), unit: true });
  return series;
}

function format(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(2);
}

function polyline(values: readonly (number | null)[], x: (i: number) => number, y: (v: number) => number, colour: string): string {
  const points = values.flatMap((v, i) => (v === null || !Number.isFinite(v) ? [] : [`${x(i).toFixed(1)},${y(v).toFixed(1)}`]));
  const dots = points.map((p) => `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="2.5" fill="${colour}"/>`).join('');
  return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.join(' ')}"/>${dots}`;
}

function axes(lossMax: number, epochs: number, x: (i: number) => number): string {
  const plotBottom = HEIGHT - MARGIN.bottom;
  const right = WIDTH - MARGIN.right;
  const parts = [`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${right - MARGIN.left}" height="${plotBottom - MARGIN.top}" fill="none" stroke="#888"/>`];
  for (let tick = 0; tick <= 4; tick++) {
    const y = plotBottom - (tick / 4) * (plotBottom - MARGIN.top);
    parts.push(`<line x1="${MARGIN.left}" x2="${right}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end">${format((lossMax * tick) / 4)}</text>`);
    parts.push(`<text x="${right + 6}" y="${y + 4}">${(tick / 4).toFixed(2)}</text>`);
  }
  const step = Math.max(1, Math.ceil(epochs / 10));
  for (let i = 0; i < epochs; i += step) parts.push(`<text x="${x(i)}" y="${plotBottom + 16}" text-anchor="middle">${i + 1}</text>`);
  parts.push(`<text x="${(MARGIN.left + right) / 2}" y="${HEIGHT - 8}" text-anchor="middle">epoch</text>`);
  parts.push(`<text x="14" y="${MARGIN.top - 10}">loss</text><text x="${right}" y="${MARGIN.top - 10}">accuracy / score</text>`);
  return parts.join('\n');
}

export function trainingCurveSvg(history: readonly EpochRecord[], title: string): string {
  const epochs = Math.max(history.length, 1);
  const series = seriesOf(history);
  const losses = history.map((r) => r.loss).filter(Number.isFinite);
  const lossMax = Math.max(1e-6, ...losses) * 1.05;
  const plotBottom = HEIGHT - MARGIN.bottom;
  const span = WIDTH - MARGIN.left - MARGIN.right;
  const x = (i: number) => MARGIN.left + (epochs === 1 ? span / 2 : (i / (epochs - 1)) * span);
  const lines = series.map((s, index) => {
    const top = s.unit ? 1 : lossMax;
    return polyline(s.values, x, (v) => plotBottom - (v / top) * (plotBottom - MARGIN.top), COLOURS[index % COLOURS.length]!);
  });
  const legend = series.map((s, index) => `<g transform="translate(${MARGIN.left + 8 + index * 120},${MARGIN.top + 14})"><rect width="10" height="10" y="-9" fill="${COLOURS[index % COLOURS.length]}"/><text x="14">${escapeXml(s.name)}</text></g>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`,
    axes(lossMax, epochs, x),
    ...lines,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
