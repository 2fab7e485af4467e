// `npm run bench`'s figure in VS Code for the Web (test/editorBench/openToDiagnostics.ts):
// scripts/web/run.mjs --bench mounts a folder with cold.py and warm.py (scripts/thousandLines.mjs, the
// text the desktop figures time) and reads the `gradprobe-web-bench:` line this logs, with the
// extension's and its server worker's timeline. A throw fails the run.
import type { GradProbeApi } from '../../src/client/activation';
import { coldAndWarm } from '../editorBench/openToDiagnostics';

export async function run(): Promise<void> {
  const { ext, cold, warm } = await coldAndWarm();
  // Where the time went: the extension's and its server worker's marks, in ms from the cold open.
  const api = (await ext.activate()) as GradProbeApi | undefined;
  if (typeof api?.timeline !== 'function') throw new Error('the GradProbe extension exports no timeline()');
  const timeline = (await api.timeline()).map((m) => ({ name: m.name, ms: Math.round(m.at - cold.openedAt) }));
  if (!timeline.some((m) => m.name.startsWith('server: published'))) throw new Error(`the timeline has no publication: ${JSON.stringify(timeline)}`);
  console.log(`gradprobe-web-bench:${JSON.stringify({ cold, warm, timeline })}`);
}
