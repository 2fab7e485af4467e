// The extension's entry in VS Code for the Web (dist/web/extension.js, package.json "browser"): the
// same activation, commands and panel as on the desktop; the language server runs in a Web Worker
// (dist/web/server.js). The worker has no file system, so this side answers its reads: the
// extension's own wasm files, workspace files and the folder listings, all through `workspace.fs`
// and `workspace.findFiles` (virtual workspaces: github.dev, vscode.dev).
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/browser';
import { ExtensionFileRequest, FindFilesRequest, WorkspaceFileRequest } from '../shared/customMessages';
import { activateGradProbe, deactivateGradProbe, type GradProbeApi } from './activation';
import { documentSelector, gradProbeClient, gradProbeClientOptions } from './clientCommon';
import { mark } from '../shared/timeline';

const sourceFile = /\.(py|pyi|ipynb|js|mjs|cjs|jsx|ts|mts|cts|tsx)$/i;
/** Folders the CLI's walk skips too. */
const skippedFolders = ['node_modules', '.git', '.hg', '.svn', '.venv', 'venv', 'env', '__pycache__', '.tox', '.mypy_cache', 'site-packages', 'dist', 'build'];
const maxFiles = 5000;

/** A bare name (`legacy`) excludes that file or folder anywhere; a glob with a '/' is used as written. */
const excludeGlobs = (exclude: string[]): string[] => exclude.flatMap((g) => {
  const glob = g.replace(/^\.\//, '');
  return glob.includes('/') ? [glob] : [`**/${glob}`, `**/${glob}/**`];
});

/**
 * A folder's source files: `workspace.findFiles`, or — where the file system has no search provider
 * (findFiles then finds nothing) — a walk with `workspace.fs.readDirectory` skipping the same folders.
 */
async function findSources(folder: vscode.Uri, include: string[], exclude: string[]): Promise<vscode.Uri[]> {
  const includeGlob = include.length ? `{${include.map((g) => g.replace(/^\.\//, '')).join(',')}}` : '**/*';
  const skip = `{${[...skippedFolders.map((f) => `**/${f}/**`), ...excludeGlobs(exclude)].join(',')}}`;
  const found = (await vscode.workspace.findFiles(new vscode.RelativePattern(folder, includeGlob), skip, maxFiles)).filter((u) => sourceFile.test(u.path));
  mark(`client: findFiles found ${found.length}`);
  if (found.length || include.length) return found;
  const bare = new Set(exclude.filter((g) => !g.includes('/')));
  const out: vscode.Uri[] = [];
  const walk = async (dir: vscode.Uri): Promise<void> => {
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(dir);
    } catch {
      return;
    }
    for (const [name, type] of entries.sort(([a], [b]) => a.localeCompare(b))) {
      if (out.length >= maxFiles || bare.has(name)) continue;
      const uri = vscode.Uri.joinPath(dir, name);
      if (type & vscode.FileType.Directory) {
        if (!skippedFolders.includes(name)) await walk(uri);
      } else if (sourceFile.test(name)) out.push(uri);
    }
  };
  await walk(folder);
  return out;
}

export function activate(context: vscode.ExtensionContext): GradProbeApi {
  return activateGradProbe(context, () => (ctx, output, status) => {
    const worker = new Worker(vscode.Uri.joinPath(ctx.extensionUri, 'dist/web/server.js').toString(true));
    mark('client: worker created');
    // Source files too: the worker's workspace context is fetched, not checked against the disk.
    const watched = vscode.workspace.createFileSystemWatcher('**/*.{py,pyi,ipynb,js,mjs,cjs,jsx,ts,mts,cts,tsx,toml,json}');
    ctx.subscriptions.push(watched);
    const client = new LanguageClient('gradprobe', 'GradProbe', gradProbeClientOptions(output, status, documentSelector(undefined), watched), worker);
    ctx.subscriptions.push(
      client.onRequest(ExtensionFileRequest.type, async (p) => {
        if (p.path.includes('..')) throw new Error(`not an extension file: ${p.path}`);
        mark(`client: ${p.path} asked`);
        const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(ctx.extensionUri, 'dist', p.path));
        mark(`client: ${p.path} read`);
        return { bytes };
      }),
      client.onRequest(WorkspaceFileRequest.type, async (p) => {
        try {
          return { text: new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(p.uri))) };
        } catch {
          return null; // no such file (a config file looked for and not there)
        }
      }),
      client.onRequest(FindFilesRequest.type, async (p) => {
        mark(`client: listing ${p.folder}`);
        const uris = (await findSources(vscode.Uri.parse(p.folder), p.include, p.exclude)).slice(0, p.maxResults ?? maxFiles).map((u) => u.toString());
        mark(`client: listed ${uris.length} file(s)`);
        return { uris };
      }),
    );
    return gradProbeClient(ctx, output, status, client);
  });
}

export function deactivate(): Promise<void> {
  return deactivateGradProbe();
}
