// `npm run soak -- [--edits N] [--minutes M] [--seed S] [--sample-seconds T] [--gc] [--json]`: a working day
// of editing, compressed. The bundled language server (dist/server.js) over stdio on a workspace of
// realistic files (the examples, generated 40- and 1,000-line Keras modules), driven by a scripted
// session in a fixed-seed random order: opens, statements typed into function bodies one key at a
// time and deleted again, functions pasted and deleted, saves, closes, hovers, code lenses, code
// actions, the probe panel's data. Every few seconds it samples the server's RSS, its heaps and the
// probe worker's live tensors (the `gradprobe/memory` request); at the end it prints them with
// p50/p95/max answer times per request kind, as a table or as JSON (`--json`: stdout carries only the
// JSON object), and the closing line
//   soak: N requests, M edits, RSS A MB → B MB (slope S MB per 1,000 edits), tensors T0 → T1, U unanswered, C crashes
// where A is the RSS after the warm-up (the first 1,000 edits), B at the end, and S fitted over the
// samples after the warm-up. `--gc` runs the server with --expose-gc and collects garbage before each
// sample, so the heap columns are live data (which tells a leak from a lazy collector; the RSS is
// then lower than an editor's). Figures, not a test: behaviour is unit-tested.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeActionRequest, CodeLensRequest, CodeLensResolveRequest, HoverRequest, type Range } from 'vscode-languageserver-protocol/node';
import type { FunctionRef } from '../../src/shared/commands';
import { PanelDataRequest, ProbeDocumentRequest, ServerMemoryRequest } from '../../src/shared/customMessages';
import { Rng } from '../fuzz/generate';
import { languageOf, LspServer } from '../support/lspServer';
import { quantiles, rssTrend, summaryLine, warmupEdits, type Quantiles } from './stats';
import { bodyAnchors, createWorkspace, languageOfPath, lineOf, markerPrefix, pastedFunction, typedStatement, type Language } from './workspace';

interface OpenDoc {
  path: string;
  uri: string;
  language: Language;
  doc: TextDocument;
  /** Markers of statements typed and not yet deleted. */
  typed: string[];
  /** Functions pasted and not yet deleted, by their exact text. */
  pasted: string[];
  /** Functions as the last code lenses named them. */
  refs: FunctionRef[];
}

interface Sample {
  seconds: number;
  edits: number;
  requests: number;
  rssMb: number;
  peakRssMb: number;
  mainHeapMb?: number;
  workerHeapMb?: number;
  workerHeapTotalMb?: number;
  tensors?: number;
  parserMb?: number;
  reportCache?: number;
  reports?: number;
  documents?: number;
  workerStarts?: number;
}

interface KindFigures extends Quantiles { unanswered: number; failed: number }

const settings = { backend: 'cpu', probeOn: 'type', debounceMs: 200 };
/** What counts as a crash in the server's log (besides the process dying). */
const crashLog = /^(unexpected error|unexpected rejection)|probe worker (failed|exited)/;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function numberArg(name: string): number | undefined {
  const v = arg(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, not '${v}'`);
  return n;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round1 = (v: number | undefined): number | undefined => (v === undefined ? undefined : Math.round(v * 10) / 10);

async function main(): Promise<number> {
  const root = process.cwd();
  const json = process.argv.includes('--json');
  let editTarget = numberArg('edits');
  const minutes = numberArg('minutes');
  if (editTarget === undefined && minutes === undefined) editTarget = 2000;
  const seed = numberArg('seed') ?? 1;
  const sampleMs = (numberArg('sample-seconds') ?? 5) * 1000;
  const collect = process.argv.includes('--gc');
  const serverOptions = { root, workspace: '', settings, nodeArgs: collect ? ['--expose-gc'] : [] };
  const out = (line: string): void => { if (!json) console.log(line); };

  const rng = new Rng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'gradprobe-soak-'));
  const files = createWorkspace(dir, root);
  const started = performance.now();
  const deadline = minutes ? started + minutes * 60_000 : Infinity;
  serverOptions.workspace = dir;
  out(`soak: seed ${seed}; ${editTarget !== undefined ? `${editTarget} edits` : ''}${editTarget !== undefined && minutes ? ' or ' : ''}${minutes ? `${minutes} min` : ''}; workspace of ${files.length} files in ${dir}; samples every ${sampleMs / 1000} s${collect ? ', garbage collected first' : ''}; editor settings ${JSON.stringify(settings)}`);

  let server = new LspServer(serverOptions);
  await server.initialize();
  const logs: string[] = [];
  let crashes = 0;
  let edits = 0;
  let requests = 0;
  let counter = 0;
  const open = new Map<string, OpenDoc>();
  const times = new Map<string, number[]>();
  const unanswered = new Map<string, number>();
  const failed = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string): void => { m.set(k, (m.get(k) ?? 0) + 1); };
  const record = (kind: string, ms: number): void => { const l = times.get(kind) ?? []; l.push(ms); times.set(kind, l); };

  /** Sends a request and times its answer; one not answered within `timeoutMs` is counted, not waited for. */
  async function ask<R>(kind: string, send: (s: LspServer) => Promise<R>, timeoutMs = 30_000): Promise<R | undefined> {
    requests++;
    const s = server;
    const t = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), timeoutMs); });
    try {
      const r = await Promise.race([send(s), late]);
      if (r === 'late') { bump(unanswered, kind); return undefined; }
      record(kind, performance.now() - t);
      return r;
    } catch {
      // An error response is an answer (the server lives and says why); a closed connection is not.
      if (s.alive) { record(kind, performance.now() - t); bump(failed, kind); } else bump(unanswered, kind);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  // ---------------------------------------------------------------- sampling

  const samples: Sample[] = [];
  let sampling: Promise<void> | undefined;
  async function sample(): Promise<void> {
    const s = server;
    const mem = s.memory();
    const figures = await ask('memory', (x) => x.connection.sendRequest(ServerMemoryRequest.type, { collect }), 30_000);
    const w = figures?.worker ?? undefined;
    const row: Sample = {
      seconds: Math.round((performance.now() - started) / 1000), edits, requests, rssMb: Math.round(mem.rssMb), peakRssMb: Math.round(mem.peakRssMb),
      mainHeapMb: round1(figures?.heapUsedMb), workerHeapMb: round1(w?.heapUsedMb), workerHeapTotalMb: round1(w?.heapTotalMb), tensors: w?.tensors,
      parserMb: round1(w?.parserMb), reportCache: w?.reportCache, reports: figures?.reports, documents: figures?.documents, workerStarts: figures?.workerStarts,
    };
    samples.push(row);
    const cell = (v: number | undefined, width: number): string => String(v ?? '–').padStart(width);
    if (samples.length === 1) out(`${'time s'.padStart(7)} ${'edits'.padStart(6)} ${'reqs'.padStart(6)} ${'RSS MB'.padStart(7)} ${'main heap'.padStart(9)} ${'worker heap'.padStart(11)} ${'of total'.padStart(8)} ${'tensors'.padStart(7)} ${'parser MB'.padStart(9)} ${'reports'.padStart(7)} ${'cached'.padStart(6)} ${'docs'.padStart(4)} ${'workers'.padStart(7)}`);
    out(`${cell(row.seconds, 7)} ${cell(row.edits, 6)} ${cell(row.requests, 6)} ${cell(row.rssMb, 7)} ${cell(row.mainHeapMb, 9)} ${cell(row.workerHeapMb, 11)} ${cell(row.workerHeapTotalMb, 8)} ${cell(row.tensors, 7)} ${cell(row.parserMb, 9)} ${cell(row.reports, 7)} ${cell(row.reportCache, 6)} ${cell(row.documents, 4)} ${cell(row.workerStarts, 7)}`);
  }
  const sampler = setInterval(() => { sampling ??= sample().finally(() => { sampling = undefined; }); }, sampleMs);

  // ---------------------------------------------------------------- the session's actions

  function apply(d: OpenDoc, range: Range, text: string): void {
    const version = server.edit(d.uri, range, text);
    d.doc = TextDocument.update(d.doc, [{ range, text }], version);
    edits++;
  }

  const lineText = (d: OpenDoc, line: number): string => d.doc.getText().split('\n')[line] ?? '';

  /** Waits for the document's next diagnostics after its last edit (what the user waits for after a pause). */
  async function diagnosticsAfter(d: OpenDoc, seq: number, editedAt: number): Promise<void> {
    try {
      await server.until(`diagnostics for ${d.path}`, () => { const p = server.published.get(d.uri); return p && p.seq > seq ? p : undefined; }, 60_000);
      record('diagnostics', performance.now() - editedAt);
    } catch {
      bump(unanswered, 'diagnostics');
    }
    requests++;
  }

  async function typeStatement(d: OpenDoc): Promise<void> {
    const anchors = bodyAnchors(d.doc.getText(), d.language);
    if (!anchors.length) return;
    const a = rng.pick(anchors);
    const marker = `${markerPrefix}typed_${++counter}`;
    const statement = typedStatement(d.language, marker, rng);
    // Enter at the end of the function's header (the editor indents), then the statement key by key.
    apply(d, { start: { line: a.line, character: lineText(d, a.line).length }, end: { line: a.line, character: lineText(d, a.line).length } }, `\n${a.indent}`);
    d.typed.push(marker);
    for (let i = 0; i < statement.length; i++) {
      const at = { line: a.line + 1, character: a.indent.length + i };
      apply(d, { start: at, end: at }, statement[i]);
      await sleep(rng.int(10, 40));
    }
  }

  async function deleteStatement(d: OpenDoc): Promise<void> {
    const marker = d.typed.shift()!;
    const line = lineOf(d.doc.getText(), marker);
    if (line <= 0) return;
    const text = lineText(d, line);
    const indent = /^\s*/.exec(text)![0].length;
    if (rng.chance(0.5)) {
      // Backspace to the indentation, then once more per indentation step and the line break: as a user deletes it.
      for (let c = text.length; c > indent; c--) {
        apply(d, { start: { line, character: c - 1 }, end: { line, character: c } }, '');
        await sleep(rng.int(5, 25));
      }
    }
    apply(d, { start: { line: line - 1, character: lineText(d, line - 1).length }, end: { line, character: lineText(d, line).length } }, '');
  }

  function paste(d: OpenDoc): void {
    const text = pastedFunction(d.language, `${markerPrefix}pasted_${++counter}`, rng, d.doc.getText());
    const end = d.doc.positionAt(d.doc.getText().length);
    apply(d, { start: end, end }, text);
    d.pasted.push(text);
  }

  function deletePasted(d: OpenDoc): void {
    const text = d.pasted.shift()!;
    const at = d.doc.getText().indexOf(text);
    if (at < 0) return;
    apply(d, { start: d.doc.positionAt(at), end: d.doc.positionAt(at + text.length) }, '');
  }

  async function lenses(d: OpenDoc): Promise<void> {
    const list = await ask('codeLens', (s) => s.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: d.uri } }));
    const refs: FunctionRef[] = [];
    for (const lens of (list ?? []).slice(0, 12)) {
      const resolved = await ask('codeLens/resolve', (s) => s.connection.sendRequest(CodeLensResolveRequest.type, lens));
      const ref = resolved?.command?.arguments?.[0] as FunctionRef | undefined;
      if (ref && typeof ref.name === 'string') refs.push(ref);
    }
    if (refs.length) d.refs = refs;
  }

  function openFile(path: string): void {
    const text = readFileSync(path, 'utf8');
    const uri = server.open(path, text);
    open.set(uri, { path, uri, language: languageOfPath(path), doc: TextDocument.create(uri, languageOf(path), 0, text), typed: [], pasted: [], refs: [] });
  }

  function closeDoc(d: OpenDoc): void {
    server.close(d.uri);
    open.delete(d.uri);
  }

  /** `tour`: the action as the warm-up's tour runs it (the panel then asks for its slow parts too). */
  type Action = { name: string; weight: number; can: () => boolean; run: (tour?: boolean) => Promise<void> };
  const some = (): OpenDoc => rng.pick([...open.values()]);
  const typable = (d: OpenDoc): boolean => d.typed.length > 0 || bodyAnchors(d.doc.getText(), d.language).length > 0;
  const closedFiles = (): string[] => files.filter((f) => ![...open.values()].some((d) => d.path === f));
  const actions: Action[] = [
    { name: 'open', weight: 8, can: () => open.size < 6, run: async () => { openFile(rng.pick(closedFiles())); await sleep(rng.int(100, 400)); } },
    { name: 'close', weight: 3, can: () => open.size > 2, run: async () => { closeDoc(some()); } },
    {
      name: 'type', weight: 32, can: () => [...open.values()].some(typable), run: async () => {
        const d = rng.pick([...open.values()].filter(typable));
        const before = edits;
        if (d.typed.length >= 3 || (d.typed.length && rng.chance(0.4))) await deleteStatement(d);
        else await typeStatement(d);
        if (edits === before) return;
        const seq = server.lastSeq;
        const editedAt = performance.now();
        // A pause: the debounce runs out and the document is probed; sometimes the user waits to see it.
        if (rng.chance(0.5)) await diagnosticsAfter(d, seq, editedAt);
        else await sleep(rng.int(100, 700));
      },
    },
    {
      name: 'paste', weight: 8, can: () => open.size > 0, run: async () => {
        const d = some();
        if (d.pasted.length >= 2 || (d.pasted.length && rng.chance(0.5))) deletePasted(d);
        else paste(d);
        await sleep(rng.int(200, 800));
      },
    },
    {
      name: 'save', weight: 6, can: () => open.size > 0, run: async () => {
        const d = some();
        writeFileSync(d.path, d.doc.getText());
        server.save(d.uri);
        await sleep(rng.int(50, 300));
      },
    },
    {
      name: 'hover', weight: 12, can: () => open.size > 0, run: async () => {
        const d = some();
        if (!d.refs.length) await lenses(d);
        const ref = d.refs.length ? rng.pick(d.refs) : undefined;
        const line = ref?.line ?? 0;
        const character = Math.max(0, ref ? lineText(d, line).indexOf(ref.name) : 0);
        await ask('hover', (s) => s.connection.sendRequest(HoverRequest.type, { textDocument: { uri: d.uri }, position: { line, character } }));
      },
    },
    { name: 'lenses', weight: 10, can: () => open.size > 0, run: () => lenses(some()) },
    {
      name: 'codeAction', weight: 8, can: () => open.size > 0, run: async () => {
        const d = some();
        const diags = server.published.get(d.uri)?.diagnostics ?? [];
        const diag = diags.length ? rng.pick(diags) : undefined;
        const range = diag?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
        await ask('codeAction', (s) => s.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: d.uri }, range, context: { diagnostics: diag ? [diag] : [] } }));
      },
    },
    {
      name: 'panel', weight: 6, can: () => [...open.values()].some((d) => d.refs.length), run: async (tour) => {
        const d = rng.pick([...open.values()].filter((x) => x.refs.length));
        const ref = rng.pick(d.refs);
        await ask('panelData', (s) => s.connection.sendRequest(PanelDataRequest.type, { ...ref, uri: d.uri }), 60_000);
        // The panel then asks for its slow parts (the depth stacks, the training run), now and then.
        if (tour || rng.chance(0.3)) await ask('panelData (depth, training)', (s) => s.connection.sendRequest(PanelDataRequest.type, { ...ref, uri: d.uri, parts: ['depth', 'training'] }), 120_000);
      },
    },
    { name: 'probeDocument', weight: 2, can: () => open.size > 0, run: async () => { const d = some(); await ask('probeDocument', (s) => s.connection.sendRequest(ProbeDocumentRequest.type, { uri: d.uri }), 120_000); } },
  ];

  const done = (): boolean => (editTarget !== undefined && edits >= editTarget) || performance.now() >= deadline;
  // The warm-up starts with a tour of every action (the panel's slow parts included): what runs once
  // per session (first compilations, first caches) then happens inside the warm-up, not after it.
  for (const name of ['open', 'open', 'open', 'lenses', 'type', 'paste', 'save', 'hover', 'codeAction', 'lenses', 'panel', 'probeDocument', 'close', 'open']) {
    const action = actions.find((a) => a.name === name)!;
    if (action.can() && !done()) await action.run(true);
  }
  while (!done()) {
    const possible = actions.filter((a) => a.can());
    let pick = rng.next() * possible.reduce((s, a) => s + a.weight, 0);
    const action = possible.find((a) => (pick -= a.weight) < 0) ?? possible[possible.length - 1];
    await action.run();
    await sleep(rng.int(20, 200));
    if (!server.alive) {
      crashes++;
      logs.push(...server.logs);
      out(`  the server died (exit ${server.process.exitCode}, signal ${server.process.signalCode}); starting another`);
      await server.dispose().catch(() => undefined);
      server = new LspServer(serverOptions);
      await server.initialize();
      open.clear();
    }
  }

  // The last sample once the worker is idle: its live tensors are read between jobs.
  clearInterval(sampler);
  await sampling;
  await sleep(2000);
  await sample();
  logs.push(...server.logs);
  await server.dispose();
  rmSync(dir, { recursive: true, force: true });

  crashes += logs.filter((l) => crashLog.test(l)).length;
  const kinds: Record<string, KindFigures> = {};
  for (const kind of new Set([...times.keys(), ...unanswered.keys()])) {
    kinds[kind] = { ...quantiles(times.get(kind) ?? []), unanswered: unanswered.get(kind) ?? 0, failed: failed.get(kind) ?? 0 };
  }
  const rss = rssTrend(samples, edits);
  const withTensors = samples.filter((s) => s.tensors !== undefined);
  const totals = {
    requests, edits, rss, tensorsStart: withTensors[0]?.tensors, tensorsEnd: withTensors[withTensors.length - 1]?.tensors,
    unanswered: [...unanswered.values()].reduce((a, b) => a + b, 0), crashes,
  };
  const summary = summaryLine(totals);
  const peakRssMb = Math.max(0, ...samples.map((s) => s.peakRssMb));
  if (json) {
    console.log(JSON.stringify({
      seed, edits, requests, seconds: Math.round((performance.now() - started) / 1000), warmupEdits: warmupEdits(edits), settings, files: files.map((f) => relative(dir, f)),
      samples, byKind: kinds, rss: { ...rss, peakMb: peakRssMb }, tensors: { start: totals.tensorsStart, end: totals.tensorsEnd },
      unanswered: totals.unanswered, crashes, crashLog: logs.filter((l) => crashLog.test(l)).map((l) => l.split('\n')[0]), summary,
    }, null, 1));
    console.error(summary);
  } else {
    out('');
    const ms = (v: number): string => (Number.isFinite(v) ? String(Math.round(v)) : '–');
    out(`${'request'.padEnd(28)} ${'n'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'failed'.padStart(6)} ${'unanswered'.padStart(10)}`);
    for (const [kind, k] of Object.entries(kinds).sort()) {
      out(`${kind.padEnd(28)} ${String(k.n).padStart(6)} ${ms(k.p50).padStart(7)} ${ms(k.p95).padStart(7)} ${ms(k.max).padStart(7)} ${String(k.failed).padStart(6)} ${String(k.unanswered).padStart(10)}`);
    }
    out(`peak RSS ${peakRssMb} MB; warm-up ${warmupEdits(edits)} edits; slope fitted over ${rss.samples} samples; ${Math.round((performance.now() - started) / 1000)} s`);
    for (const l of logs.filter((x) => crashLog.test(x)).slice(0, 10)) out(`  server log: ${l.split('\n')[0]}`);
    console.log(summary);
  }
  return totals.unanswered + crashes > 0 ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => { console.error(err instanceof Error ? err.message : err); process.exitCode = 2; });
