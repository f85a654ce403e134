/**
 * Running the edited model on an image in the playground page, with the demo page's runtime
 * (src/web): the model is compiled from the editor's text with the bundled standard library,
 * gets the trained weights of the bundled example whose text it is, or seeded random weights
 * otherwise, and is run on the picked image, whose Grad-CAM is then drawn over it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SizeSpace } from '../../src/shapes/sizes.js';
import type { Graph } from '../../src/ir/graph.js';
import type { RgbImage } from '../../src/runtime/image.js';
import { SegModel } from '../../src/runtime/model.js';
import {
  classHistogram,
  compileBundled,
  fitToModel,
  gradCamHeatmap,
  heatmapOverlayImage,
  loadWebModel,
  maskOverlayImage,
  modelInputOf,
  mostFrequentForeground,
  segment,
  type BundledSources,
} from '../../src/web/index.js';
import { PLAYGROUND_FILE } from './protocol.js';

/** One bundled example, as build.ts writes it into `catalog.json`. */
export interface CatalogEntry {
  /** `examples/gap_cam.seg`. */
  readonly file: string;
  readonly text: string;
  /** The URL of its weights directory (holding model.json), relative to the page; absent when it has none. */
  readonly weights?: string;
  /** Class names, when the example's data names them: of the image, and of a mask's values. */
  readonly classes?: readonly string[];
  readonly maskClasses?: readonly string[];
  /** Images made for this example, with their label when they have one. */
  readonly images: readonly { readonly url: string; readonly label?: number }[];
}

/** The seed of the random weights a model gets when its text is no bundled example's. */
export const RANDOM_SEED = 0;
/** Symbolic input sizes run at the smallest allowed size at least this large. */
const PREFERRED_SIZE = 64;

export interface LoadedModel {
  readonly text: string;
  readonly model: SegModel;
  /** The bundled example whose weights it has, if any. */
  readonly example?: CatalogEntry;
  /** Who wrote the weights (`segc train`), or why they are random. */
  readonly weightsOrigin: string;
}

/** The example whose text is exactly `text` (line endings aside). */
export function matchingExample(catalog: readonly CatalogEntry[], text: string): CatalogEntry | undefined {
  const normal = (s: string) => s.replace(/\r\n?/g, '\n');
  return catalog.find((entry) => normal(entry.text) === normal(text));
}

/** Compiles `text` and gives it weights; compile errors are thrown as a DiagnosticError. */
export async function loadEditedModel(
  text: string,
  catalog: readonly CatalogEntry[],
  library: Readonly<Record<string, string>>,
  pageUrl: string,
): Promise<LoadedModel> {
  const sources: BundledSources = { entry: PLAYGROUND_FILE, files: { ...library, [PLAYGROUND_FILE]: text } };
  const example = matchingExample(catalog, text);
  if (example?.weights) {
    const loaded = await loadWebModel(sources, new URL(example.weights, pageUrl));
    return {
      text,
      model: loaded.model,
      example,
      weightsOrigin: `${loaded.weightsOrigin}, the weights of ${example.file}`,
    };
  }
  const compiled = compileBundled(sources);
  const model = SegModel.random(compiled.graph!, compiled.sizes, RANDOM_SEED);
  const why = example
    ? `${example.file} has no trained weights here`
    : 'the source is no bundled example with trained weights';
  return { text, model, weightsOrigin: `seeded random weights (seed ${RANDOM_SEED}), untrained: ${why}` };
}

/** Only a model of one image input, [N, H, W, 1 or 3], can run on a picked image. */
function checkImageInput(graph: Graph, sizes: SizeSpace): void {
  const input = graph.nodes[graph.inputs[0]!.node]!;
  const shape = input.type.shape;
  const channels = shape[3];
  if (
    graph.inputs.length === 1 &&
    shape.length === 4 &&
    channels?.kind === 'const' &&
    (channels.value === 1 || channels.value === 3)
  )
    return;
  const why =
    graph.inputs.length > 1
      ? `it has ${graph.inputs.length} inputs`
      : `its input \`${graph.inputs[0]!.name}\` is [${shape.map((d) => sizes.format(d)).join(', ')}]`;
  throw new Error(
    `the model \`${graph.model}\` cannot run on a picked image: ${why}, where the playground runs one input of [N, H, W, 1] or [N, H, W, 3]`,
  );
}

/** The input's height and width: fixed sizes as declared, symbolic ones the smallest allowed ≥ 64. */
export function runSize(graph: Graph, sizes: SizeSpace): [number, number] {
  const shape = graph.nodes[graph.inputs[0]!.node]!.type.shape;
  return [1, 2].map((axis) => {
    const d = shape[axis]!;
    if (d.kind === 'const') return d.value;
    if (d.kind !== 'sym') return PREFERRED_SIZE;
    const allowed = sizes.valuesOf(d.name);
    return allowed.find((v) => v >= PREFERRED_SIZE) ?? allowed[allowed.length - 1] ?? PREFERRED_SIZE;
  }) as [number, number];
}

export interface RunResult {
  readonly kind: 'classifier' | 'segmentation';
  readonly inputSize: [number, number];
  /** Classifiers: the predicted class and the probabilities of every class. */
  readonly predicted?: number;
  readonly probabilities?: number[];
  /** Segmentation: pixels per class, and the class of each pixel ([H, W] row-major). */
  readonly pixels?: number[];
  readonly mask?: Int32Array;
  readonly classIndex: number;
  readonly target: string;
  /** The model's input (RGB, at its size), the Grad-CAM overlay, and for segmentation the mask overlay; owned by the caller. */
  readonly shown: RgbImage;
  readonly heatmap: RgbImage;
  readonly maskOverlay?: RgbImage;
  readonly heatmapValues: Float32Array;
}

/** The model's 2-D score output (its softmax one when it has one), or undefined for a segmenter. */
function scoredOutput(graph: Graph): { name: string; softmax: boolean } | undefined {
  const scored = graph.outputs.filter((o) => graph.nodes[o.node]!.type.shape.length === 2);
  const chosen = scored.find((o) => graph.nodes[o.node]!.op === 'softmax') ?? scored[0];
  return chosen && { name: chosen.name, softmax: graph.nodes[chosen.node]!.op === 'softmax' };
}

/** Runs the model on `image` ([1, H, W, 3] in [0, 1], not disposed) and explains its prediction with Grad-CAM. */
export async function runModel(model: SegModel, image: RgbImage): Promise<RunResult> {
  const graph = model.graph;
  checkImageInput(graph, model.sizes);
  const inputSize = runSize(graph, model.sizes);
  const shown = fitToModel(image, inputSize[0], inputSize[1], model);
  // The tensor the input declares (grey, channel order, mean and std), as `segc run` feeds it.
  const input = modelInputOf(model, shown);
  const made: tf.Tensor[] = [input];
  try {
    const scored = scoredOutput(graph);
    if (scored) {
      const outputs = model.predict(input);
      const probabilities = tf.tidy(() =>
        scored.softmax ? tf.clone(outputs[scored.name]!) : tf.softmax(outputs[scored.name]!),
      );
      const values = Array.from(await probabilities.data());
      tf.dispose([probabilities, ...Object.values(outputs)]);
      const predicted = values.indexOf(Math.max(...values));
      const heatmap = await gradCamHeatmap(model, shown, predicted);
      return {
        kind: 'classifier',
        inputSize,
        predicted,
        probabilities: values,
        classIndex: predicted,
        target: heatmap.target,
        shown,
        heatmap: heatmapOverlayImage(shown, heatmap),
        heatmapValues: heatmap.map,
      };
    }
    const segmentation = await segment(model, shown);
    const classIndex = mostFrequentForeground(segmentation.mask, segmentation.classes);
    const heatmap = await gradCamHeatmap(model, shown, classIndex);
    const pixels = classHistogram(segmentation.mask, segmentation.classes);
    const overlay = heatmapOverlayImage(shown, heatmap);
    made.push(overlay);
    const mask = maskOverlayImage(shown, segmentation);
    made.pop();
    return {
      kind: 'segmentation',
      inputSize,
      pixels,
      mask: segmentation.mask,
      classIndex,
      target: heatmap.target,
      shown,
      heatmap: overlay,
      maskOverlay: mask,
      heatmapValues: heatmap.map,
    };
  } catch (error) {
    shown.dispose();
    throw error;
  } finally {
    tf.dispose(made);
  }
}
