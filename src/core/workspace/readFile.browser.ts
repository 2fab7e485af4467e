// The browser build's stand-in for readFile.node.ts: no disk. The browser host passes its own reader
// (files fetched through the editor's file system) to ConfigResolver / loadConfig.
export function readIfFile(): string | undefined {
  return undefined;
}
