// `npm run test:e2e`'s browser half (bundled to dist-test/e2e/playwright.js by scripts/e2e/run.mjs):
// opens code-server in Debian's Chromium and runs the scenarios. argv: URL, screenshots folder,
// "restricted" to answer the trust prompt with "No" and run the Restricted Mode scenarios.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PlaywrightDriver } from './playwrightDriver';
import { eventually, restrictedScenarios, runScenarios, scenarios } from './scenarios';

async function main(): Promise<number> {
  const [url, shots, mode] = process.argv.slice(2);
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.GRADPROBE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const driver = new PlaywrightDriver(page, shots);
    const log = (line: string): void => console.log(line);
    if (mode === 'restricted') {
      // The trust prompt for a fresh folder: answer "No" — Restricted Mode.
      const no = page.getByRole('button', { name: /No, I don't trust/ });
      await no.waitFor({ timeout: 30_000 });
      await driver.screenshot('06a-trust-prompt');
      await no.click();
      await eventually('the Restricted Mode indicator', () => page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).count(), (n) => n > 0, 20_000);
      return await runScenarios(restrictedScenarios, driver, log);
    }
    const failed = await runScenarios(scenarios, driver, log);
    // Activation time as the extension logs it.
    try {
      const text = await eventually('the activation line in the log', () => driver.logText(), (t) => /activated in/.test(t), 15_000);
      const m = /activated in ([\d.]+) ms/.exec(text);
      console.log(`measure - activation ${m?.[1]} ms`);
      writeFileSync(join(shots, 'activation.txt'), `${m?.[1] ?? '?'}\n`);
      await driver.screenshot('07-log');
    } catch (err) {
      console.log(`note - could not read the activation time: ${String(err)}`);
    }
    return failed;
  } finally {
    await browser.close();
  }
}

main().then((failed) => process.exit(failed ? 1 : 0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
