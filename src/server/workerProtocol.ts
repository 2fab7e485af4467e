// Messages between the language server's main thread and its probe worker (worker_threads). The main
// thread stays free for LSP requests; parsing, detection and probing happen in the worker.
import type { GradProbeSettings } from '../core/config/settings';
import type { FileReport, FunctionReport } from '../core/findings/types';
import type { CorePanelPart } from '../core/panel';
import type { ServerMemoryRequest } from '../shared/customMessages';
import type { PanelData, PanelPart } from '../shared/panelMessages';

export interface SourceText {
  /** A file-system path (or a made-up one with the right extension for unsaved documents). */
  path: string;
  text: string;
}

/** main → worker */
export type WorkerRequest =
  | {
    type: 'analyze';
    id: number;
    files: SourceText[];
    /**
     * Files the worker reads from disk itself, analysed with `files` (the workspace scan's closed
     * files under Node): the main thread then neither reads them nor copies their texts across.
     */
    paths?: string[];
    settings: GradProbeSettings;
    /** false: parse and detect only (the outline for code lenses), no probe. */
    probe: boolean;
    /** Folder whose other files give detection its cross-file uses and translation its imports. */
    root?: string;
    /** Globs the workspace context skips, on top of the folder walk's own skips. */
    exclude: string[];
    /** Index into the shared cancellation flags; the main thread sets it to 1 to cancel. */
    cancelSlot: number;
    /**
     * The workspace scan this job is part of: the scan reads the folder as one snapshot, so a
     * context file already checked against the disk by an earlier job of the same scan is not
     * checked again (one stat per file per scan instead of one per job).
     */
    scan?: number;
    /**
     * false: the reports come back without their plain arrays for the panel and hovers (`data`,
     * `training`): the workspace scan shows only diagnostics, and a sweep's arrays for every
     * function of a folder would be copied across threads for nothing.
     */
    reportData?: boolean;
  }
  | {
    /** The probe panel's data for one function (its report, plus the curves, stacks and runs only the panel plots). */
    type: 'panelData';
    id: number;
    files: SourceText[];
    settings: GradProbeSettings;
    root?: string;
    exclude: string[];
    /** Where the function lives, for "go to source", and how the file is shown. */
    uri: string;
    file: string;
    name: string;
    line?: number;
    cell?: number;
    range?: number;
    parts: CorePanelPart[];
    /** Parts the main thread will ask for next (the panel shows them as being computed). */
    pending: PanelPart[];
  }
  | { type: 'init'; cancelFlags: SharedArrayBuffer }
  | { type: 'forget'; root?: string }
  /** The worker's memory figures, answered between jobs. */
  | { type: 'memory'; id: number; collect: boolean };

export type WorkerMemory = ServerMemoryRequest.WorkerMemory;

/** A detected function as the lenses need it (spans cell-relative in notebooks). */
export type OutlineEntry = Pick<FunctionReport, 'name' | 'kind' | 'framework' | 'span' | 'nameSpan' | 'cell'> & { path: string };

/** What a job made of the `paths` it read itself. */
export interface ReadFiles {
  texts: SourceText[];
  unreadable: { path: string; message: string }[];
}

/** worker → main */
export type WorkerResponse =
  | { type: 'outline'; id: number; functions: OutlineEntry[]; failures: FileReport[] }
  | {
    type: 'result'; id: number; reports: FileReport[]; cancelled: boolean; ms: number; memory?: WorkerMemory;
    /** Of the files read from `paths`: the texts of those with findings (their diagnostics' ranges), and those that could not be read. */
    read?: ReadFiles;
  }
  | { type: 'panelData'; id: number; data: PanelData | null; memory?: WorkerMemory }
  | { type: 'memory'; id: number; memory: WorkerMemory }
  | { type: 'error'; id: number; message: string }
  | { type: 'log'; message: string };
