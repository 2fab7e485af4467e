// The workspace context read from disk (workspaceContext.ts), the analysis jobs' default under Node.
// The browser build replaces this module with diskContext.browser.ts.
import type { WorkspaceModules } from './analysisJob';
import { WorkspaceContext } from './workspaceContext';

export function diskContext(root: string, exclude: string[]): WorkspaceModules {
  return new WorkspaceContext(root, exclude);
}
