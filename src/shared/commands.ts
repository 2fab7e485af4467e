// Command ids the server puts in code lenses and hover links and the client registers, and the
// function reference they carry. Apart from customMessages.ts so the extension's entry, which only
// registers commands, loads no LSP code.

/** Which function: the document, and the function's name and 0-based definition line there. */
export interface FunctionRef {
  uri: string;
  name: string;
  line: number;
}

/** Commands the server puts in code lenses and hover links; the client registers them. */
export const Commands = {
  /** args: [FunctionRef] — probe the function's document now, whatever `probeOn` says. */
  probeFunction: 'gradprobe.probeFunction',
  /** args: [FunctionRef] — show the function's report. */
  openPanel: 'gradprobe.openPanel',
  probeWorkspace: 'gradprobe.probeWorkspace',
  showLogs: 'gradprobe.showLogs',
} as const;

