// The test-electron entry (extensionTestsPath): runs the shared scenarios in the extension host.
import { runScenarios, scenarios } from '../scenarios';
import { VSCodeDriver } from '../vscodeDriver';

export async function run(): Promise<void> {
  const failed = await runScenarios(scenarios, new VSCodeDriver(), (line) => console.log(line));
  if (failed) throw new Error(`${failed} scenario(s) failed`);
}
