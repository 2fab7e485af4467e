// Shared by the unit tests: analyse in-memory sources with the real pipeline.
import { analyzeSources } from '../src/core/analyze';
import { defaultSettings, mergeSettings, type SettingsPatch } from '../src/core/config/settings';
import type { FileReport, FunctionReport } from '../src/core/findings/types';

export async function analyze(files: Record<string, string>, patch?: SettingsPatch): Promise<FileReport[]> {
  return analyzeSources(Object.entries(files).map(([path, text]) => ({ path, text })), { settings: mergeSettings(defaultSettings, { backend: 'cpu' }, patch) });
}

export function fn(reports: FileReport[], name: string): FunctionReport {
  const found = reports.flatMap((r) => r.functions).find((f) => f.name === name);
  if (!found) throw new Error(`${name} was not listed; listed: ${reports.flatMap((r) => r.functions.map((f) => f.name)).join(', ')}`);
  return found;
}

export function codes(report: FunctionReport): string[] {
  return [...new Set(report.findings.map((f) => f.code))].sort();
}
