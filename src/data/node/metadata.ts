/**
 * The JSON files that sit beside images: `classes.json` (the class list), `boxes.json`
 * (`{ "file.png": [[x0, y0, x1, y1, class], ...] }`) and `labels.json` (`{ "file.png": 3 }`
 * or `{ "file.png": { "label": 3, "labels": [1, 3] } }`). Each is checked as a whole when the
 * data set opens; a file that does not fit is one problem naming it.
 */
import { readFile } from 'node:fs/promises';
import { dataProblem } from '../problems.js';
import type { LabelledBox } from '../sample.js';
import { codes } from '../../diagnostics/codes.js';

export interface ClassLists {
  readonly classes: readonly string[];
  /** Present when masks use their own list (e.g. background/digit while labels are digits). */
  readonly maskClasses?: readonly string[];
}

export interface ImageLabels {
  readonly label?: number;
  readonly labels?: readonly number[];
}

/** The parsed JSON, or undefined when the file does not exist. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw dataProblem(codes.badMetadata, file, `cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw dataProblem(codes.badMetadata, file, `${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function isNameList(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((name) => typeof name === 'string' && name.length > 0) &&
    new Set(value).size === value.length
  );
}

export function parseClassLists(value: unknown, file: string): ClassLists {
  if (isNameList(value)) return { classes: value };
  const record = value as { classes?: unknown; maskClasses?: unknown } | null;
  if (
    typeof record === 'object' &&
    record !== null &&
    isNameList(record.classes) &&
    (record.maskClasses === undefined || isNameList(record.maskClasses))
  ) {
    return { classes: record.classes, ...(record.maskClasses ? { maskClasses: record.maskClasses } : {}) };
  }
  throw dataProblem(
    codes.badMetadata,
    file,
    `${file} must hold a list of distinct class names, or { "classes": [...], "maskClasses": [...] }`,
    'for example ["background", "circle", "square", "triangle"]',
  );
}

function isClassIndex(value: unknown, classes: number): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < classes;
}

function isBox(value: unknown, classes: number): value is LabelledBox {
  if (!Array.isArray(value) || value.length !== 5 || !value.slice(0, 4).every(Number.isFinite)) return false;
  const [x0, y0, x1, y1, classIndex] = value as number[];
  return x0! >= 0 && y0! >= 0 && x1! > x0! && y1! > y0! && isClassIndex(classIndex, classes);
}

function entriesOf(value: unknown, file: string, what: string): [string, unknown][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw dataProblem(codes.badMetadata, file, `${file} must map image file names to ${what}`);
  }
  return Object.entries(value);
}

export function parseBoxes(value: unknown, file: string, classes: number): Map<string, readonly LabelledBox[]> {
  const boxes = new Map<string, readonly LabelledBox[]>();
  for (const [name, list] of entriesOf(value, file, 'lists of boxes')) {
    const bad = Array.isArray(list) ? list.find((box) => !isBox(box, classes)) : list;
    if (!Array.isArray(list) || bad !== undefined) {
      throw dataProblem(
        codes.badMetadata,
        file,
        `${file}: the boxes of "${name}" are not all [x0, y0, x1, y1, class] with x0 < x1, y0 < y1 and a class in [0, ${classes}): ${JSON.stringify(bad)}`,
        'boxes are half-open pixel rectangles: a box around the single pixel (3, 4) is [3, 4, 4, 5, class]',
      );
    }
    boxes.set(name, list as LabelledBox[]);
  }
  return boxes;
}

export function parseLabels(value: unknown, file: string, classes: number): Map<string, ImageLabels> {
  const labels = new Map<string, ImageLabels>();
  for (const [name, entry] of entriesOf(value, file, 'class indices')) {
    const record = (isClassIndex(entry, classes) ? { label: entry } : entry) as {
      label?: unknown;
      labels?: unknown;
    } | null;
    const labelOk =
      record !== null &&
      typeof record === 'object' &&
      (record.label === undefined || isClassIndex(record.label, classes));
    const listOk =
      labelOk &&
      (record.labels === undefined ||
        (Array.isArray(record.labels) && record.labels.every((c) => isClassIndex(c, classes))));
    if (!listOk) {
      throw dataProblem(
        codes.badMetadata,
        file,
        `${file}: the label of "${name}" must be a class index in [0, ${classes}) or { "label": i, "labels": [i, ...] }, got ${JSON.stringify(entry)}`,
      );
    }
    labels.set(name, record as ImageLabels);
  }
  return labels;
}
