/**
 * Finding the samples of a data set folder without decoding any image.
 * Segmentation layout: `images/*.png|jpg`, optional `masks/<stem>.png`, with optional
 * `images/boxes.json` and `images/labels.json`, and `classes.json` in the folder or its parent.
 * Classification layout: `<class-name>/*.png|jpg`, one folder per class, class order from
 * `classes.json` or else the sorted folder names (then written to `classes.json`), with
 * optional `<class-name>/boxes.json`.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { writeFileAtomic } from '../../runtime/node/fs-atomic.js';
import { DataProblemError, dataProblem } from '../problems.js';
import type { DataProblem, LabelledBox, Layout } from '../sample.js';
import {
  type ClassLists,
  type ImageLabels,
  parseBoxes,
  parseClassLists,
  parseLabels,
  readJsonFile,
} from './metadata.js';
import { codes } from '../../diagnostics/codes.js';
import { diagnosticError } from '../../diagnostics/error.js';

export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

export interface FileEntry extends ImageLabels {
  /** Path relative to the data set folder, with '/' separators. */
  readonly id: string;
  readonly image: string;
  readonly mask?: string;
  readonly boxes?: readonly LabelledBox[];
  readonly boxesFile?: string;
}

export interface ScannedDataset extends Required<ClassLists> {
  readonly layout: Layout;
  readonly entries: readonly FileEntry[];
  readonly problems: readonly DataProblem[];
}

export interface ScanOptions {
  readonly layout?: Layout;
  /** Class names that replace classes.json. */
  readonly classes?: readonly string[];
  readonly maskClasses?: readonly string[];
  readonly onBadFile?: 'skip' | 'stop';
}

/** Collects problems under `skip`, throws them under `stop`. */
class ProblemLog {
  readonly problems: DataProblem[] = [];
  constructor(private readonly policy: 'skip' | 'stop') {}

  /** Runs `action`; on a file problem, reports it and returns undefined. */
  async attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (error) {
      if (!(error instanceof DataProblemError)) throw error;
      this.report(error);
      return undefined;
    }
  }

  report(error: DataProblemError): void {
    if (this.policy === 'stop') throw error;
    this.problems.push(error.problem);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

async function listNames(folder: string, keep: (name: string, isFolder: boolean) => boolean): Promise<string[]> {
  const items = await readdir(folder, { withFileTypes: true });
  return items
    .filter((item) => !item.name.startsWith('.') && keep(item.name, item.isDirectory()))
    .map((item) => item.name)
    .sort();
}

function isImageName(name: string, isFolder: boolean): boolean {
  return !isFolder && IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());
}

/** classes.json in the folder, then in its parent (shared by split folders). */
async function findClassLists(root: string): Promise<ClassLists | undefined> {
  for (const file of [join(root, 'classes.json'), join(dirname(root), 'classes.json')]) {
    const value = await readJsonFile(file);
    if (value !== undefined) return parseClassLists(value, file);
  }
  return undefined;
}

export async function scanDataset(root: string, options: ScanOptions = {}): Promise<ScannedDataset> {
  if (!(await isDirectory(root)))
    throw diagnosticError(codes.datasetNotFound, `the data set folder ${root} does not exist or is not a folder`, {
      file: root,
    });
  const log = new ProblemLog(options.onBadFile ?? 'stop');
  const layout = options.layout ?? ((await isDirectory(join(root, 'images'))) ? 'segmentation' : 'classification');
  const scanned =
    layout === 'segmentation'
      ? await scanSegmentation(root, options, log)
      : await scanClassification(root, options, log);
  return { ...scanned, layout, problems: log.problems };
}

async function scanSegmentation(
  root: string,
  options: ScanOptions,
  log: ProblemLog,
): Promise<Omit<ScannedDataset, 'layout' | 'problems'>> {
  const lists = await resolveLists(root, options);
  if (!lists) {
    throw diagnosticError(codes.badMetadata, `${root} has no classes.json (in the folder or its parent)`, {
      hint: 'add classes.json listing the mask classes in index order, e.g. ["background", "road"]',
      file: root,
    });
  }
  const maskFolder = join(root, 'masks');
  const masks = (await isDirectory(maskFolder))
    ? new Set(await listNames(maskFolder, (name, isFolder) => !isFolder && extname(name).toLowerCase() === '.png'))
    : undefined;
  const annotations = await readAnnotations(join(root, 'images'), lists.classes.length, log, true);
  const entries: FileEntry[] = [];
  for (const name of await listNames(join(root, 'images'), isImageName)) {
    const entry = segmentationEntry(root, name, masks, log);
    if (entry) entries.push({ ...entry, ...annotations.of(name) });
  }
  return { classes: lists.classes, maskClasses: lists.maskClasses ?? lists.classes, entries };
}

/** The entry of one image; without its mask (when the data set has masks) it is a problem. */
function segmentationEntry(
  root: string,
  name: string,
  masks: ReadonlySet<string> | undefined,
  log: ProblemLog,
): FileEntry | undefined {
  const image = join(root, 'images', name);
  const maskName = `${basename(name, extname(name))}.png`;
  const mask = join(root, 'masks', maskName);
  if (masks && !masks.has(maskName)) {
    log.report(
      dataProblem(
        codes.missingMask,
        image,
        `${image} has no mask ${mask}`,
        'every image needs a PNG mask with the same name stem',
      ),
    );
    return undefined;
  }
  return { id: `images/${name}`, image, ...(masks ? { mask } : {}) };
}

async function resolveLists(root: string, options: ScanOptions): Promise<ClassLists | undefined> {
  const found = options.classes ? undefined : await findClassLists(root);
  const classes = options.classes ?? found?.classes;
  if (!classes) return undefined;
  const maskClasses = options.maskClasses ?? found?.maskClasses;
  return { classes, ...(maskClasses ? { maskClasses } : {}) };
}

interface Annotations {
  of(name: string): Partial<Pick<FileEntry, 'boxes' | 'boxesFile' | 'label' | 'labels'>>;
}

/** boxes.json (and labels.json when `withLabels`) of one image folder; a bad file is reported and left out. */
async function readAnnotations(
  folder: string,
  classes: number,
  log: ProblemLog,
  withLabels: boolean,
): Promise<Annotations> {
  const boxesFile = join(folder, 'boxes.json');
  const labelsFile = join(folder, 'labels.json');
  const boxes = await log.attempt(async () => {
    const value = await readJsonFile(boxesFile);
    return value === undefined ? undefined : parseBoxes(value, boxesFile, classes);
  });
  const labels = withLabels
    ? await log.attempt(async () => {
        const value = await readJsonFile(labelsFile);
        return value === undefined ? undefined : parseLabels(value, labelsFile, classes);
      })
    : undefined;
  return {
    of: (name) => ({
      ...(boxes ? { boxes: boxes.get(name) ?? [], boxesFile } : {}),
      ...(labels?.get(name) ?? {}),
    }),
  };
}

async function scanClassification(
  root: string,
  options: ScanOptions,
  log: ProblemLog,
): Promise<Omit<ScannedDataset, 'layout' | 'problems'>> {
  const folders = await listNames(root, (_, isFolder) => isFolder);
  if (folders.length === 0 && !options.classes) {
    throw diagnosticError(codes.datasetLayoutUnknown, `${root} has neither an images/ folder nor class folders`, {
      hint: 'use images/ + masks/ for segmentation or one folder per class for classification',
      file: root,
    });
  }
  const lists = (await resolveLists(root, options)) ?? (await writeFolderClasses(root, folders));
  const entries: FileEntry[] = [];
  for (const folder of folders) {
    const label = lists.classes.indexOf(folder);
    if (label < 0) {
      log.report(
        dataProblem(
          codes.classNotListed,
          join(root, folder),
          `the class folder ${join(root, folder)} is not in classes.json`,
          `add "${folder}" to classes.json or move the folder away`,
        ),
      );
      continue;
    }
    const annotations = await readAnnotations(join(root, folder), lists.classes.length, log, false);
    for (const name of await listNames(join(root, folder), isImageName)) {
      entries.push({ id: `${folder}/${name}`, image: join(root, folder, name), ...annotations.of(name), label });
    }
  }
  return { classes: lists.classes, maskClasses: lists.maskClasses ?? lists.classes, entries };
}

/** Sorted folder names become the class list, written down so the order stays fixed when folders are added. */
async function writeFolderClasses(root: string, folders: readonly string[]): Promise<ClassLists> {
  // A read-only data set still loads; the list is only a convenience for later runs.
  await writeFileAtomic(join(root, 'classes.json'), `${JSON.stringify(folders, null, 2)}\n`).catch(() => undefined);
  return { classes: folders };
}
