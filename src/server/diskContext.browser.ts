// No disk in a browser worker: the browser server sets its own contexts (useWorkspaceContexts) over
// the editor's file system. Stands in for diskContext.node.ts in the browser build.
import type { WorkspaceModules } from './analysisJob';

export function diskContext(): WorkspaceModules | undefined {
  return undefined;
}

/** The browser server reads through the editor and sends texts, never paths: a job that names one fails clearly. */
export function readSourceFile(path: string): string {
  throw new Error(`cannot read ${path}: no file system in a browser worker`);
}
