// The browser host's paths: the analysis names files by POSIX paths, a browser workspace by URIs of
// virtual file systems (`vscode-vfs://github/owner/repo/x.py`, `vscode-test-web://mount/x.py`). A URI
// becomes `/<authority><path>` (its path alone without an authority); the way back is remembered.

export class UriPaths {
  private readonly uris = new Map<string, string>();
  /** `scheme://authority` by the path prefix it became, for paths never seen as URIs. */
  private readonly prefixes = new Map<string, string>();

  /** The path of a URI the workspace can read; undefined for untitled documents and cells. */
  pathOf(uri: string): string | undefined {
    const m = /^([a-zA-Z][\w+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(uri);
    if (!m || m[1] === 'untitled' || m[1] === 'vscode-notebook-cell') return undefined;
    const [, scheme, authority, rawPath] = m;
    let path: string;
    try {
      path = decodeURIComponent(rawPath || '/');
    } catch {
      return undefined;
    }
    const prefix = authority ? `/${decodeURIComponent(authority)}` : '';
    const full = `${prefix}${path.startsWith('/') ? path : `/${path}`}`;
    this.prefixes.set(prefix, `${scheme}://${authority}`);
    this.uris.set(full, uri);
    return full;
  }

  uriOf(path: string): string {
    const known = this.uris.get(path);
    if (known) return known;
    // The longest remembered prefix the path starts with.
    const prefix = [...this.prefixes.keys()].filter((p) => p === '' || path === p || path.startsWith(`${p}/`)).sort((a, b) => b.length - a.length)[0];
    if (prefix === undefined) return `file://${path.split('/').map(encodeURIComponent).join('/')}`;
    return `${this.prefixes.get(prefix)}${path.slice(prefix.length).split('/').map(encodeURIComponent).join('/')}`;
  }
}
