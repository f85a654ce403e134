/** The exported names of a generated module, from the model's name: `createGapCam`, `GapCamOutputs`, ... */
import type { Graph } from '../ir/graph.js';
import { pascalCase } from './identifiers.js';

export interface ModuleNames {
  readonly model: string;
  readonly create: string;
  readonly load: string;
  readonly inputs: string;
  readonly outputs: string;
  readonly classMaps: string;
  readonly prediction: string;
  readonly weightName: string;
  readonly gradCamOutput: string;
  readonly gradCamOptions: string;
}

export function moduleNames(graph: Graph): ModuleNames {
  const base = pascalCase(graph.model);
  return {
    model: `${base}Model`,
    create: `create${base}`,
    load: `load${base}`,
    inputs: `${base}Inputs`,
    outputs: `${base}Outputs`,
    classMaps: `${base}ClassMaps`,
    prediction: `${base}Prediction`,
    weightName: `${base}WeightName`,
    gradCamOutput: `${base}GradCamOutput`,
    gradCamOptions: `${base}GradCamOptions`,
  };
}

/** Names the forward pass must not shadow: the module's own and the factory's locals. */
export const MODULE_LOCALS = [
  'weights',
  'weight',
  'layers',
  'disposed',
  'run',
  'inputs',
  'sizes',
  'loader',
  'WEIGHTS',
  'INPUTS',
  'OUTPUTS',
  'EXPLANATIONS',
  'WeightsLoader',
  'requireWeights',
  'requireInputs',
];
