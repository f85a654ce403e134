/**
 * Feature maps of any named tensor, for looking at what a layer responds to: its channels,
 * each normalised to [0, 1] per image, ready to be tiled into a grid image.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SegModel } from '../runtime/model.js';
import { surveyOutputs } from '../ir/analysis/explanations/derive.js';
import type { ModelInputs } from './explain.js';
import { describeNode, isFeatureMap } from '../ir/analysis/explanations/graph-walk.js';
import { normaliseChannels } from './methods/feature-maps.js';
import { findNode, modelSpan } from './request.js';
import { codes } from '../diagnostics/codes.js';
import { diagnosticError } from '../diagnostics/error.js';

export interface FeatureMapsResult {
  /** [N, h, w, C], each (image, channel) plane in [0, 1]. Owned by the caller. */
  readonly maps: tf.Tensor4D;
  readonly target: string;
}

/** The named tensor, or the first output's default Grad-CAM target. */
function featureNode(model: SegModel, name: string | undefined): number {
  if (name !== undefined) {
    const node = findNode(model.graph, name);
    if (!isFeatureMap(node)) {
      throw diagnosticError(
        codes.badTarget,
        `${describeNode(node)} is not a 4-D float feature map, so it has no channels to show`,
        { hint: 'pick a [N, H, W, C] tensor', span: node.span, file: '<explain>' },
      );
    }
    return node.id;
  }
  const target = surveyOutputs(model.graph).plans.find((p) => p.target)?.target;
  if (!target)
    throw diagnosticError(codes.badTarget, 'no default layer to show: no output has a target layer', {
      hint: 'name a 4-D tensor',
      span: modelSpan(model.graph),
      file: '<explain>',
    });
  return target.node;
}

export function featureMaps(model: SegModel, inputs: ModelInputs, name?: string): FeatureMapsResult {
  const id = featureNode(model, name);
  const maps = tf.tidy(() => normaliseChannels(model.run(inputs, { keep: [id] }).kept.get(id)! as tf.Tensor4D));
  return { maps, target: model.graph.nodes[id]!.name };
}
