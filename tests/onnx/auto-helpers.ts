/** Running the CLI in-process and picking out its backend line, for the `--backend auto` tests. */
import { main } from '../../src/cli/main.js';

export async function segc(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let [out, err] = ['', ''];
  const code = await main(argv, { out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`) });
  return { code, out, err };
}

export function backendLines(err: string): string[] {
  return err.split('\n').filter((line) => line.startsWith('backend:'));
}
