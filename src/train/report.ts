/** An evaluation report as a table for people and as JSON for tools. */
import type { EvaluationReport } from './evaluate.js';

function score(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined ? 'n/a' : value.toFixed(digits);
}

function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatReport(report: EvaluationReport): string {
  const lines = [`${report.task} on ${report.images} images`];
  if (report.segmentation) {
    const s = report.segmentation;
    lines.push(
      table(
        ['class', 'IoU', 'accuracy', 'truth px', 'predicted px'],
        s.classes.map((c) => [
          c.name,
          score(c.iou),
          score(c.accuracy),
          String(c.truthPixels),
          String(c.predictedPixels),
        ]),
      ),
    );
    lines.push(
      `pixel accuracy ${score(s.pixelAccuracy)}   mean class accuracy ${score(s.meanClassAccuracy)}   mIoU ${score(s.meanIoU)}   fwIoU ${score(s.frequencyWeightedIoU)}`,
    );
    lines.push('classes absent from both truth and prediction (IoU n/a) are left out of the means');
  }
  if (report.classification)
    lines.push(`top-1 ${score(report.classification.top1)}   top-5 ${score(report.classification.top5)}`);
  if (report.multiLabel) {
    const m = report.multiLabel;
    lines.push(
      `multi-label (present when the logit is above 0): label accuracy ${score(m.labelAccuracy)}   exact match ${score(m.exactMatch)}   mean AP ${score(m.meanAP)}`,
    );
    lines.push(
      table(
        ['class', 'AP', 'images with it'],
        m.classes.map((c, i) => [report.classNames[i] ?? String(i), score(c.averagePrecision), String(c.positives)]),
      ),
    );
    lines.push('classes no image holds (AP n/a) are left out of the mean');
  }
  if (report.localisation) {
    const l = report.localisation;
    lines.push(
      `localisation (${l.method} maps, ${l.images} images): MaxBoxAcc ${score(l.maxBoxAcc)} at map threshold ${l.bestThreshold.toFixed(2)}   top-1 loc ${score(l.top1Localisation)}   GT-known loc ${score(l.knownClassLocalisation)}`,
    );
    const terms = l.maxBoxAccV2Levels
      .map((level) => `δ ${level.iouThreshold}: ${score(level.maxBoxAcc)} at ${level.bestThreshold.toFixed(3)}`)
      .join(', ');
    lines.push(`MaxBoxAccV2 (every component, δ 0.3/0.5/0.7) ${score(l.maxBoxAccV2)}   (${terms})`);
  }
  return lines.join('\n');
}

export function reportJson(report: EvaluationReport): Record<string, unknown> {
  const { confusion, ...rest } = report;
  return { ...rest, confusionMatrix: confusion.toJSON() };
}
