/**
 * The execution cases exec-conv.test.ts runs: the convolutions and dense layer against
 * tfjs-layers (and loops where tfjs-layers cannot express the case). registry-completeness.test.ts
 * reads them, by op, to require an execution case for every op.
 */

export type Pair = [number, number];

export interface ConvCase {
  readonly input: [number, number, number, number];
  readonly filters: number;
  readonly kernel: Pair;
  readonly stride?: Pair;
  readonly dilation?: Pair;
  readonly padding?: 'same' | 'valid';
  readonly pad?: Pair;
  readonly bias?: boolean;
  readonly activation?: string;
  readonly needsGradient?: boolean;
}

export const CONV_CASES: ConvCase[] = [
  { input: [2, 9, 9, 3], filters: 4, kernel: [3, 3] },
  { input: [1, 16, 15, 3], filters: 5, kernel: [3, 3], stride: [2, 2], activation: 'relu' },
  { input: [1, 17, 17, 2], filters: 3, kernel: [3, 3], dilation: [2, 2], activation: 'relu6' },
  { input: [1, 19, 19, 2], filters: 3, kernel: [3, 3], dilation: [3, 2], padding: 'valid', activation: 'sigmoid' },
  { input: [1, 13, 12, 4], filters: 2, kernel: [5, 3], padding: 'valid', bias: false, activation: 'tanh' },
  { input: [1, 11, 11, 3], filters: 4, kernel: [3, 3], stride: [2, 2], pad: [1, 1], activation: 'leakyRelu' },
  { input: [1, 12, 12, 3], filters: 4, kernel: [7, 7], stride: [2, 2], pad: [3, 2] },
  { input: [1, 17, 17, 2], filters: 3, kernel: [3, 3], dilation: [2, 2], activation: 'leakyRelu', needsGradient: true },
  { input: [1, 15, 15, 2], filters: 3, kernel: [3, 3], activation: 'sigmoid', needsGradient: true },
];

export const DWCONV_CASES: (ConvCase & { readonly multiplier: number })[] = [
  { ...CONV_CASES[0]!, multiplier: 2 },
  { ...CONV_CASES[1]!, multiplier: 1 },
  { ...CONV_CASES[2]!, multiplier: 1 },
  { ...CONV_CASES[5]!, multiplier: 2 },
  { ...CONV_CASES[7]!, multiplier: 2 },
];

export const SEPCONV_CASES: ConvCase[] = [0, 1, 2, 3, 6, 7].map((index) => CONV_CASES[index]!);

export const CONV_TRANSPOSE_CASES = [
  { input: [1, 5, 6, 3], filters: 4, kernel: [2, 2], stride: [2, 2], padding: 'same', activation: 'none' },
  { input: [2, 4, 4, 2], filters: 3, kernel: [3, 3], stride: [2, 2], padding: 'valid', activation: 'relu' },
  { input: [1, 5, 5, 3], filters: 2, kernel: [4, 4], stride: [2, 2], padding: 'same', activation: 'tanh' },
  { input: [1, 6, 5, 2], filters: 2, kernel: [3, 3], stride: [1, 1], padding: 'valid', activation: 'none' },
] as const;

export const DENSE_CASES = [
  { units: 5, activation: 'none', bias: true },
  { units: 3, activation: 'relu6', bias: false },
  { units: 4, activation: 'leakyRelu', bias: true },
  { units: 4, activation: 'tanh', bias: true },
];

/** The cases by the op exec-conv.test.ts runs them on. */
export const CASES_BY_OP: Readonly<Record<string, readonly unknown[]>> = {
  conv: CONV_CASES,
  dwconv: DWCONV_CASES,
  sepconv: SEPCONV_CASES,
  convTranspose: CONV_TRANSPOSE_CASES,
  dense: DENSE_CASES,
};
