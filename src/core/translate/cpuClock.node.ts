// This process's CPU time under Node (user + system, every thread), for the probe's time budget: it
// advances only while the process runs, so other programs loading the machine do not use up a
// probe's budget. The browser build replaces this module with cpuClock.browser.ts.
export function cpuTimeMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}
