/** Learning-rate schedules. */

/** DeepLab's poly schedule: base · (1 − step / total)^power, with power 0.9; 0 from `total` on. */
export function polyLearningRate(base: number, step: number, total: number, power = 0.9): number {
  if (total <= 0 || step >= total) return 0;
  return base * (1 - step / total) ** power;
}

export type ScheduleName = 'poly' | 'constant';

export function learningRateAt(schedule: ScheduleName, base: number, step: number, total: number): number {
  return schedule === 'poly' ? polyLearningRate(base, step, total) : base;
}
