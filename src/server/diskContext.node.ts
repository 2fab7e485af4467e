// The workspace context read from disk (workspaceContext.ts), the analysis jobs' default under Node.
// The browser build replaces this module with diskContext.browser.ts.
import { readFileSync } from 'node:fs';
import type { WorkspaceModules } from './analysisJob';
import { WorkspaceContext } from './workspaceContext';

export function diskContext(root: string, exclude: string[]): WorkspaceModules {
  return new WorkspaceContext(root, exclude);
}

/** A job's file read where the job runs (the workspace scan's files, read by its workers). */
export function readSourceFile(path: string): string {
  return readFileSync(path, 'utf8');
}
