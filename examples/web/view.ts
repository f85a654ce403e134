/** The page's DOM: status lines, canvases, the legend, the class picker and the drop zone. */
import { vocPalette } from '../../src/runtime/image.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

export function setStatus(id: 'backend' | 'model' | 'weights' | 'timing', text: string, warning = false): void {
  const line = element(id);
  line.textContent = text;
  line.classList.toggle('warning', warning);
}

/**
 * A caption that wraps between words: a long unbroken token (a layer path such as
 * `decoded/deep_lab_v3_plus_decoder/conv`) may also break after a `/` or `_`, never elsewhere.
 */
export function setCaption(id: 'input-caption' | 'heatmap-caption', text: string): void {
  const parts = text.split(/(?<=[/_])/);
  element(id).replaceChildren(
    ...parts.flatMap((part, index) => (index === 0 ? [part] : [document.createElement('wbr'), part])),
  );
}

/**
 * While a run is in flight: the progress line says what is happening, and every control is
 * disabled (the drop zone says it is busy); `undefined` ends it.
 */
export function setBusy(activity: string | undefined): void {
  const busy = activity !== undefined;
  element('progress').hidden = !busy;
  element('progress-text').textContent = activity ?? '';
  document.body.classList.toggle('busy', busy);
  element('drop-zone').setAttribute('aria-busy', String(busy));
  for (const control of Array.from(
    document.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>(
      '#samples button, #file, #backend-picker',
    ),
  ))
    control.disabled = busy;
  element('file').parentElement!.classList.toggle('disabled', busy);
  const picker = element<HTMLSelectElement>('class-picker');
  picker.disabled = busy || picker.options.length === 0;
}

/** The backend picker shows the request; choosing another reloads the page with it. */
export function offerBackends(current: string, onChoose: (name: string) => void): void {
  const picker = element<HTMLSelectElement>('backend-picker');
  picker.value = current;
  picker.onchange = () => onChoose(picker.value);
}

/** Draws pixels at their own size; the canvas's CSS letterboxes them into its square frame. */
export function drawImage(id: 'input-canvas' | 'mask-canvas' | 'heatmap-canvas', pixels: ImageData): void {
  const canvas = element<HTMLCanvasElement>(id);
  canvas.width = pixels.width;
  canvas.height = pixels.height;
  canvas.getContext('2d')!.putImageData(pixels, 0, 0);
}

function colourOf(palette: Uint8Array, label: number): string {
  return `rgb(${palette[label * 3]}, ${palette[label * 3 + 1]}, ${palette[label * 3 + 2]})`;
}

/** One entry per class: its palette colour, its name and the share of pixels it got. */
export function showLegend(names: readonly string[], counts: readonly number[]): void {
  const palette = vocPalette(names.length);
  const total = counts.reduce((sum, count) => sum + count, 0) || 1;
  element('legend').replaceChildren(
    ...names.map((name, label) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colourOf(palette, label);
      item.append(swatch, `${name} ${((100 * counts[label]!) / total).toFixed(1)}%`);
      return item;
    }),
  );
}

export function fillClassPicker(
  names: readonly string[],
  selected: number,
  onChange: (classIndex: number) => void,
): void {
  const picker = element<HTMLSelectElement>('class-picker');
  picker.replaceChildren(
    ...names.map((name, index) => new Option(`${index}: ${name}`, String(index), false, index === selected)),
  );
  picker.onchange = () => onChange(Number(picker.value));
}

export function selectClass(classIndex: number): void {
  element<HTMLSelectElement>('class-picker').value = String(classIndex);
}

export function addSampleButtons(
  samples: readonly { label: string; url: string }[],
  onPick: (url: string) => void,
): void {
  element('samples').replaceChildren(
    ...samples.map(({ label, url }) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = label;
      button.onclick = () => onPick(url);
      return button;
    }),
  );
}

/** Calls `onFile` for a file chosen with the picker or dropped on the figures. */
export function acceptFiles(onFile: (file: File) => void): void {
  const input = element<HTMLInputElement>('file');
  input.onchange = () => {
    if (input.files?.[0]) onFile(input.files[0]);
    input.value = '';
  };
  const zone = element('drop-zone');
  zone.ondragover = (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  };
  zone.ondragleave = () => zone.classList.remove('dragging');
  zone.ondrop = (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    // Controls are disabled during a run; a drop then is refused the same way.
    if (zone.getAttribute('aria-busy') === 'true') return;
    const file = event.dataTransfer?.files[0];
    if (file) onFile(file);
  };
}

export function showProblem(text: string | undefined): void {
  const box = element('problems');
  box.hidden = text === undefined;
  box.textContent = text ?? '';
}
