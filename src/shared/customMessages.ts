// The client ↔ server protocol beyond LSP: one namespace per message with its method, its typed
// RequestType/NotificationType and the direction it travels. Both sides import this file; nothing
// else names these methods.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { FunctionRef } from './commands';
import type { PanelData, PanelPart } from './panelMessages';

/** client → server: probe one document now (the "Probe gradients" lens). */
export namespace ProbeDocumentRequest {
  export const method = 'gradprobe/probeDocument';
  export interface Params { uri: string }
  export interface Result { functions: number; problems: number }
  export const type = new RequestType<Params, Result, void>(method);
}

/** client → server: one function's report as markdown (the "Open probe panel" command). */
export namespace FunctionReportRequest {
  export const method = 'gradprobe/functionReport';
  export type Params = FunctionRef;
  /** null when the document has no such function (any more). */
  export type Result = { title: string; markdown: string } | null;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * client → server: the probe panel's data for one function. Without `parts`: the report, f/f′/f″ with
 * the baselines' curves, or the loss slices and boundary cases (fast: the first plot). With `parts`:
 * also the depth stacks and the training probe (about a second). Computed in the server's probe worker.
 */
export namespace PanelDataRequest {
  export const method = 'gradprobe/panelData';
  export interface Params extends FunctionRef {
    /** Sweep half-width for a re-probe at another range; the settings' range when absent. */
    range?: number;
    parts?: PanelPart[];
  }
  /** null when the document has no such function (any more) or is not open. */
  export type Result = PanelData | null;
  export const type = new RequestType<Params, Result, void>(method);
}

/** server → client: new probe results for a document (the panel refreshes when they are its function's). */
export namespace ProbedNotification {
  export const method = 'gradprobe/probed';
  export interface Params {
    /** The document, or for a notebook its URI and its cells'. */
    uris: string[];
  }
  export const type = new NotificationType<Params>(method);
}

/** client → server: probe every analysable file of every workspace folder; cancellable. */
export namespace ProbeWorkspaceRequest {
  export const method = 'gradprobe/probeWorkspace';
  export interface Params { folders?: string[] }
  export interface Result { files: number; functions: number; problems: number; cancelled: boolean; ms: number }
  export const type = new RequestType<Params, Result, void>(method);
}

/** server → client: how far the workspace scan has got (drives withProgress). */
export namespace WorkspaceProgressNotification {
  export const method = 'gradprobe/workspaceProgress';
  export interface Params { done: number; total: number; path?: string }
  export const type = new NotificationType<Params>(method);
}

/** server → client: what the status bar item shows. */
export namespace StatusNotification {
  export const method = 'gradprobe/status';
  export interface Params {
    /** Functions being probed right now (0 = idle). */
    probing: number;
    /** Errors and warnings across the documents the server has published diagnostics for. */
    problems: number;
    /** Set when the last analysis failed; the details are in the log. */
    failure?: string;
  }
  export const type = new NotificationType<Params>(method);
}

/**
 * client → server: the server's memory and the probe worker's live tensors, for long sessions (the
 * soak run samples it every few seconds) and bug reports. The worker's figures are read between
 * jobs; `worker` is null when no worker is running or it did not answer in time.
 */
export namespace ServerMemoryRequest {
  export const method = 'gradprobe/memory';
  export interface Params {
    /**
     * Collect garbage in both threads first, so the heap figures are live data. Only where the server
     * runs with --expose-gc (the soak run's --gc); otherwise ignored.
     */
    collect?: boolean;
  }
  export interface WorkerMemory {
    /** The worker thread's V8 heap: in use and reserved, MB. */
    heapUsedMb: number;
    heapTotalMb: number;
    /** Whether garbage was collected before these were read. */
    collected: boolean;
    /** TensorFlow.js: live tensors and their bytes (MB) in the worker's engine. */
    tensors: number;
    tensorMb: number;
    /** tree-sitter's WebAssembly memory, MB: it grows to the largest tree parsed and never shrinks. */
    parserMb: number;
    /** Cached function reports in the core. */
    reportCache: number;
    /** Jobs run by this worker, and those after which more tensors were live than before. */
    jobs: number;
    leakyJobs: number;
  }
  export interface Figures {
    /** The server process, both threads: resident set size and its peak, MB. */
    rssMb: number;
    peakRssMb: number;
    /** The main thread's V8 heap in use, MB. */
    heapUsedMb: number;
    /** Documents and notebooks open, and the function reports held for them. */
    documents: number;
    reports: number;
    /** Probe workers started so far (the first, and each replacement: a stuck job or a recycle). */
    workerStarts: number;
    worker: WorkerMemory | null;
  }
  /** null when the figures could not be read (the log says why). */
  export type Result = Figures | null;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * server → client, browser host only: a file of the extension itself (a tree-sitter wasm in dist/),
 * read by the client through the editor's file system. The bytes travel as they are: the browser
 * transport posts each message to the worker (structured clone), never as JSON, and base64 cost a
 * cold start a fifth of a second per grammar on each side.
 */
export namespace ExtensionFileRequest {
  export const method = 'gradprobe/extensionFile';
  /** A path relative to the extension's dist/ folder. */
  export interface Params { path: string }
  export interface Result { bytes: Uint8Array }
  export const type = new RequestType<Params, Result, void>(method);
}

/** server → client, browser host only: a workspace file's text, read through the editor's file system (null: none). */
export namespace WorkspaceFileRequest {
  export const method = 'gradprobe/workspaceFile';
  export interface Params { uri: string }
  export type Result = { text: string } | null;
  export const type = new RequestType<Params, Result, void>(method);
}

/** server → client, browser host only: a folder's analysable files (`workspace.findFiles`), as URIs. */
export namespace FindFilesRequest {
  export const method = 'gradprobe/findFiles';
  export interface Params { folder: string; include: string[]; exclude: string[]; maxResults?: number }
  export interface Result { uris: string[] }
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * client → server: the server thread's start marks (see src/shared/timeline.ts): when its worker
 * started, loaded its wasm and engine, parsed, probed and published. Under Node the probes run in a
 * worker thread whose marks are not included.
 */
export namespace TimelineRequest {
  export const method = 'gradprobe/timeline';
  export interface Mark { name: string; at: number }
  export type Result = Mark[];
  export const type = new RequestType0<Result, void>(method);
}
