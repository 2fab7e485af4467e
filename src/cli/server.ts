// `gradprobe server`: the language server for any LSP editor (Neovim, Helix, Zed, VS Code), from the
// installed package. The server is its own bundle beside this one (dist/server.js, with its probe
// worker dist/probeWorker.js); it is loaded only for this command, so `check` and `eval` never pay
// for it, and the CLI does not import the server's sources.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { helpText, parseCommand, stringValue, type CommandSpec } from './args';
import { UsageError } from './usage';

export const serverCommand: CommandSpec = {
  name: 'server',
  summary: 'run the language server (diagnostics, code lenses, hovers, quick fixes) for an LSP editor',
  usage: ['server [--stdio]', 'server --node-ipc', 'server --socket PORT'],
  details: [
    'The editor starts this command and speaks the Language Server Protocol with it. Settings come from the client\'s initializationOptions and workspace/configuration (section "gradprobe", the keys of the VS Code settings without the prefix: probeOn, range, severity, args, …), over the project\'s config files (pyproject.toml [tool.gradprobe], gradprobe.toml, package.json "gradprobe"), as `check` reads them. docs/editors.md has working configurations for Neovim, Helix and Zed.',
  ],
  options: {
    stdio: { type: 'boolean', help: 'Speak LSP on stdin/stdout (the default; what Neovim, Helix and Zed use).' },
    'node-ipc': { type: 'boolean', help: 'Speak LSP over Node\'s IPC channel (what the VS Code extension uses).' },
    socket: { type: 'string', value: 'PORT', help: 'Connect to the editor on this local TCP port.' },
    jobs: { type: 'string', value: 'N', help: 'Probe workers of the workspace scan (default: the number of cores, at most 4); open documents have a worker of their own.' },
    help: { type: 'boolean', short: 'h', help: 'Print this help.' },
  },
  footer: [
    'Examples:\n  gradprobe server --stdio\n  nvim: vim.lsp.config("gradprobe", { cmd = { "gradprobe", "server", "--stdio" }, filetypes = { "python" } })',
  ],
};

/** Starts the server in this process; the returned promise never settles (the connection ends the process). */
export function runServer(argv: string[]): Promise<number> | number {
  const { values, positionals, help } = parseCommand(serverCommand, argv);
  if (help) {
    process.stdout.write(helpText(serverCommand));
    return 0;
  }
  if (positionals.length) throw new UsageError(`server takes no arguments, not '${positionals[0]}' (see 'gradprobe server --help')`);
  const socket = stringValue(values, 'socket');
  const chosen = [values.stdio === true, values['node-ipc'] === true, socket !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('choose one of --stdio, --node-ipc and --socket');
  if (socket !== undefined && !/^\d+$/.test(socket)) throw new UsageError(`--socket must be a port number, not '${socket}'`);
  // vscode-languageserver picks its transport from the process's arguments, in its own spelling.
  const transport = values['node-ipc'] === true ? '--node-ipc' : socket !== undefined ? `--socket=${socket}` : '--stdio';
  const jobs = stringValue(values, 'jobs');
  if (jobs !== undefined && !(/^\d+$/.test(jobs) && Number(jobs) >= 1)) throw new UsageError(`--jobs must be a whole number of at least 1, not '${jobs}'`);
  process.argv = [process.argv[0], process.argv[1], transport, ...(jobs ? [`--jobs=${jobs}`] : [])];
  const serverPath = join(__dirname, 'server.js');
  if (!existsSync(serverPath)) throw new UsageError(`the language server is missing beside the CLI (${serverPath}): reinstall the package`);
  // A bundle of its own, loaded at run time (not bundled into the CLI).
  require(serverPath);
  return new Promise<number>(() => undefined);
}
