// Reading a config file from disk. The browser build replaces this module with readFile.browser.ts:
// there the host reads through the editor's file system and hands config.ts its own reader.
import { readFileSync, statSync } from 'node:fs';

export function readIfFile(file: string, errors: string[]): string | undefined {
  try {
    if (!statSync(file).isFile()) return undefined;
  } catch {
    return undefined; // not there
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    errors.push(`${file}: cannot read: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}
