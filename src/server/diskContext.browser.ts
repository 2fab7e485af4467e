// No disk in a browser worker: the browser server sets its own contexts (useWorkspaceContexts) over
// the editor's file system. Stands in for diskContext.node.ts in the browser build.
import type { WorkspaceModules } from './analysisJob';

export function diskContext(): WorkspaceModules | undefined {
  return undefined;
}
