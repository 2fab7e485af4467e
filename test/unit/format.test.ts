import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  exitCodeFor, formatJson, formatSarif, formatText, summarize, type CheckSummary, type JsonOutput,
} from '../../src/cli/format';
import { notebookLocator } from '../../src/cli/notebookRegions';
import { ruleCatalog } from '../../src/core/findings/rules';
import type { FileReport, Finding, FunctionReport } from '../../src/core/findings/types';

const span = (startLine: number, startCol: number, endLine: number, endCol: number) => ({ startLine, startCol, endLine, endCol });

function finding(partial: Partial<Finding> & Pick<Finding, 'code' | 'severity' | 'message'>): Finding {
  return { span: span(0, 0, 0, 0), evidence: {}, ...partial };
}

const focalFindings: Finding[] = [
  finding({
    code: 'GP303', severity: 'warning', function: 'focal_loss', message: 'log of y_pred can reach 0',
    span: span(17, 11, 17, 29), evidence: { op: 'log' },
  }),
  finding({
    code: 'GP201', severity: 'error', function: 'focal_loss',
    message: 'loss is NaN when y_pred contains exactly 0 (log(0));\nclip y_pred to [eps, 1-eps]',
    span: span(17, 11, 17, 29),
    evidence: { case: 'binary probabilities, y_pred = 0', loss: NaN, grad: [Infinity, -Infinity, 0.5], curve: new Float32Array([1, NaN]) },
  }),
];

const focal: FunctionReport = {
  name: 'focal_loss', kind: 'loss', framework: 'tensorflow', span: span(10, 0, 24, 0), nameSpan: span(10, 4, 10, 14),
  detectedBy: ['usage:compile(loss=)', 'signature:(y_true, y_pred)'], probe: { status: 'ok', ms: 14.2 },
  summary: 'loss · min at target · grad ok', findings: focalFindings,
  data: { kind: 'loss', family: 'binary probabilities', mapping: 'keras: (y_true, y_pred)', layout: '8×4 (batch × features)', baseline: 'binary cross-entropy', slices: [] },
};

const mishFinding = finding({
  code: 'GP108', severity: 'info', function: 'mish', message: 'shallow dip', cell: 2, span: span(3, 4, 3, 9), evidence: { dip: 0.04 },
});
const mish: FunctionReport = {
  name: 'mish', kind: 'activation', framework: 'pytorch', span: span(0, 0, 5, 0), nameSpan: span(0, 4, 0, 8), cell: 2,
  detectedBy: ['name'], probe: { status: 'ok', ms: 3 }, summary: 'activation · grad ok', findings: [mishFinding],
  training: { final: { loss: 0.1 } },
};

const reports: FileReport[] = [
  { path: 'models/losses.py', functions: [focal], findings: focalFindings },
  { path: 'notebooks/my nb.ipynb', functions: [mish], findings: [mishFinding] },
  {
    path: 'broken.py', functions: [],
    findings: [finding({ code: 'GP002', severity: 'warning', message: 'cannot decode file as UTF-8', evidence: { error: 'bad byte' } })],
  },
];
const summary: CheckSummary = { files: 3, functions: 2, probed: 2, errors: 1, warnings: 2, infos: 1, ms: 40.4 };

test('summarize counts files, functions, probed functions and findings by severity', () => {
  const withUnsupported: FileReport[] = [...reports, {
    path: 'x.py',
    functions: [{ ...mish, cell: undefined, probe: { status: 'unsupported', ms: 0, reason: 'torch.fft' }, findings: [] }],
    findings: [],
  }];
  assert.deepEqual(summarize(withUnsupported, 12), { files: 4, functions: 3, probed: 2, errors: 1, warnings: 2, infos: 1, ms: 12 });
});

test('text: one finding a line, 1-based, sorted by position then code, notebook cells ruff-style, then the summary', () => {
  assert.equal(formatText(reports, summary), [
    'models/losses.py:18:12: error GP201 loss is NaN when y_pred contains exactly 0 (log(0)); clip y_pred to [eps, 1-eps]',
    'models/losses.py:18:12: warning GP303 log of y_pred can reach 0',
    'notebooks/my nb.ipynb:cell 3:4:5: info GP108 shallow dip',
    'broken.py:1:1: warning GP002 cannot decode file as UTF-8',
    '3 files, 2 functions (2 probed): 1 error, 2 warnings, 1 info in 40 ms',
    '',
  ].join('\n'));
});

test('text: a clean run prints only the summary line; --quiet (no summary) prints the findings only', () => {
  const clean = formatText([{ path: 'a.py', functions: [], findings: [] }], { files: 1, functions: 0, probed: 0, errors: 0, warnings: 0, infos: 0, ms: 3 });
  assert.equal(clean, '1 file, 0 functions (0 probed): 0 errors, 0 warnings, 0 infos in 3 ms\n');
  assert.equal(formatText([{ path: 'a.py', functions: [], findings: [] }], undefined), '');
  const quiet = formatText(reports, undefined).trimEnd().split('\n');
  assert.equal(quiet.length, reports.reduce((n, r) => n + r.findings.length, 0));
  assert.ok(quiet.every((l) => /^[^:]+(:cell \d+)?:\d+:\d+: (error|warning|info) GP\d{3} /.test(l)), quiet.join('\n'));
});

test('json: the shape of spec/cli.md, 0-based ranges, optional keys only where they apply', () => {
  const out = JSON.parse(formatJson(reports, summary, '0.1.0')) as JsonOutput;
  assert.deepEqual(Object.keys(out), ['tool', 'files', 'summary']);
  assert.deepEqual(out.tool, { name: 'gradprobe', version: '0.1.0' });
  assert.deepEqual(out.files.map((f) => f.path), ['models/losses.py', 'notebooks/my nb.ipynb', 'broken.py']);
  assert.deepEqual(out.summary, summary);

  const [fn] = out.files[0].functions;
  assert.deepEqual(fn, {
    name: 'focal_loss', kind: 'loss', framework: 'tensorflow',
    range: { start: { line: 10, character: 0 }, end: { line: 24, character: 0 } },
    detectedBy: ['usage:compile(loss=)', 'signature:(y_true, y_pred)'],
    probe: { status: 'ok', ms: 14.2 }, summary: 'loss · min at target · grad ok',
  });
  assert.deepEqual(Object.keys(out.files[0].findings[0]), ['code', 'severity', 'function', 'message', 'range', 'evidence']);
  assert.deepEqual(out.files[0].findings.map((f) => f.code), ['GP201', 'GP303']);
  assert.deepEqual(out.files[0].findings[0].range, { start: { line: 17, character: 11 }, end: { line: 17, character: 29 } });

  const nb = out.files[1];
  assert.equal(nb.functions[0].cell, 2);
  assert.deepEqual(nb.functions[0].training, { final: { loss: 0.1 } });
  assert.equal(nb.findings[0].cell, 2);

  const fileLevel = out.files[2].findings[0];
  assert.equal('function' in fileLevel, false);
  assert.equal('cell' in fileLevel, false);
  assert.equal(fileLevel.code, 'GP002');
});

test('json: non-finite evidence is written as "NaN", "Infinity", "-Infinity", typed arrays as arrays', () => {
  const text = formatJson(reports, summary, '0.1.0');
  assert.doesNotMatch(text, /null/);
  const evidence = (JSON.parse(text) as JsonOutput).files[0].findings[0].evidence;
  assert.deepEqual(evidence, {
    case: 'binary probabilities, y_pred = 0', loss: 'NaN', grad: ['Infinity', '-Infinity', 0.5], curve: [1, 'NaN'],
  });
});

test('the rule catalog holds every code of spec/rules.md once, with slug, severity and meaning', () => {
  const range = (prefix: string, from: number, to: number): string[] =>
    Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(2, '0')}`);
  const expected = [...range('GP0', 1, 2), ...range('GP1', 1, 12), ...range('GP2', 1, 13), ...range('GP3', 1, 5)];
  assert.deepEqual(ruleCatalog.map((r) => r.code), expected);
  for (const rule of ruleCatalog) {
    assert.match(rule.slug, /^[a-z]+(-[a-z]+)*$/, rule.code);
    assert.ok(rule.meaning.length > 10, rule.code);
  }
  const bySlug = Object.fromEntries(ruleCatalog.map((r) => [r.code, `${r.slug}/${r.severity}`]));
  assert.equal(bySlug.GP001, 'unsupported/info');
  assert.equal(bySlug.GP107, 'dead-region/info');
  assert.equal(bySlug.GP112, 'gradient-mismatch/error');
  assert.equal(bySlug.GP207, 'argument-order/warning');
  assert.equal(bySlug.GP213, 'multiple-minima/info');
  assert.equal(bySlug.GP305, 'where-nan-trap/warning');
});

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; informationUri: string; rules: { id: string; name: string; shortDescription: { text: string }; helpUri: string; defaultConfiguration: { level: string } }[] } };
    results: {
      ruleId: string; ruleIndex: number; level: string; message: { text: string };
      locations: {
        physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: { startLine: number; startColumn: number; endLine: number; endColumn: number } };
        logicalLocations?: { name: string; kind: string }[];
      }[];
      properties: { evidence: Record<string, unknown>; function?: string; notebook?: { cell: number; cellIndex: number; region: Record<string, number> } };
    }[];
  }[];
}

test('sarif: a valid 2.1.0 log with rules, 1-based regions, levels and evidence', () => {
  const rules = ruleCatalog.map((r) => (r.code === 'GP108' ? { ...r, severity: 'info' as const } : r));
  const log = JSON.parse(formatSarif(reports, '0.1.0', rules)) as SarifLog;
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema, /sarif-schema-2\.1\.0\.json$/);
  assert.equal(log.runs.length, 1);
  const { driver } = log.runs[0].tool;
  assert.equal(driver.name, 'gradprobe');
  assert.equal(driver.version, '0.1.0');
  assert.match(driver.informationUri, /^https:\/\//);
  assert.equal(driver.rules.length, ruleCatalog.length);
  const gp201 = driver.rules.find((r) => r.id === 'GP201');
  assert.deepEqual(gp201 && { ...gp201, shortDescription: undefined }, {
    id: 'GP201', name: 'loss-nan', shortDescription: undefined, helpUri: 'https://gradprobe.dev/rules/GP201', defaultConfiguration: { level: 'error' },
  });
  assert.equal(driver.rules.find((r) => r.id === 'GP108')?.defaultConfiguration.level, 'note');

  const results = log.runs[0].results;
  assert.deepEqual(results.map((r) => [r.ruleId, r.level]), [['GP201', 'error'], ['GP303', 'warning'], ['GP108', 'note'], ['GP002', 'warning']]);
  for (const r of results) assert.equal(driver.rules[r.ruleIndex].id, r.ruleId);

  const first = results[0];
  assert.equal(first.message.text, 'loss is NaN when y_pred contains exactly 0 (log(0)); clip y_pred to [eps, 1-eps]');
  assert.deepEqual(first.locations[0].physicalLocation, {
    artifactLocation: { uri: 'models/losses.py', uriBaseId: '%SRCROOT%' },
    region: { startLine: 18, startColumn: 12, endLine: 18, endColumn: 30 },
  });
  assert.deepEqual(first.locations[0].logicalLocations, [{ name: 'focal_loss', kind: 'function' }]);
  assert.equal(first.properties.function, 'focal_loss');
  assert.equal(first.properties.evidence.loss, 'NaN');

  // A notebook finding without the notebook's text: no region rather than a wrong one; the cell
  // and its own region in the properties, and in the message.
  const cell = results[2];
  assert.equal(cell.locations[0].physicalLocation.artifactLocation.uri, 'notebooks/my%20nb.ipynb');
  assert.equal(cell.locations[0].physicalLocation.region, undefined);
  assert.deepEqual(cell.properties.notebook, { cell: 3, cellIndex: 2, region: { startLine: 4, startColumn: 5, endLine: 4, endColumn: 10 } });
  assert.equal(cell.message.text, 'cell 3, line 4: shallow dip');

  const fileLevel = results[3];
  assert.equal('function' in fileLevel.properties, false);
  assert.equal(fileLevel.locations[0].logicalLocations, undefined);
});

test('sarif: a notebook finding points at its line inside the .ipynb JSON', () => {
  // Cell 2 (0-based) holds `dip(x)` on its 4th line at column 4; the escapes before it on the same
  // line (\" and \u00e9) shift the JSON column but not the cell's.
  const nb = {
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Title\n', 'text'] },
      { cell_type: 'code', metadata: {}, outputs: [], source: 'import torch\nx = 1' },
      { cell_type: 'code', metadata: {}, outputs: [], source: ['def mish(x):\n', '    """é"""\n', '    y = x\n', '"é" dip(x)\n', '    return y'] },
    ],
    metadata: {}, nbformat: 4, nbformat_minor: 5,
  };
  const text = JSON.stringify(nb, null, 1).replace(/é/g, '\\u00e9');
  const log = JSON.parse(formatSarif(reports, '0.1.0', ruleCatalog, { locate: (path) => (path === 'notebooks/my nb.ipynb' ? notebookLocator(text) : undefined) })) as SarifLog;
  const result = log.runs[0].results.find((r) => r.ruleId === 'GP108')!;
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes('dip(x)'));
  assert.ok(line > 0 && lines[line].includes('\\"\\u00e9\\" dip(x)'), lines[line]);
  // The finding spans the cell's columns 4..9 (exclusive): "dip(x".
  const startColumn = lines[line].indexOf('dip(x)') + 1;
  assert.deepEqual(result.locations[0].physicalLocation.region, { startLine: line + 1, startColumn, endLine: line + 1, endColumn: startColumn + 5 });

  // A source given as one string: the cell's lines are all on one JSON line.
  const locate = notebookLocator(text)!;
  const one = locate(1, 1, 0)!;
  assert.equal(lines[one.line].slice(one.character, one.character + 5), 'x = 1');
  // Outside the cells: no position.
  assert.equal(locate(7, 0, 0), undefined);
  assert.equal(locate(2, 40, 0), undefined);
  assert.equal(notebookLocator('not json at all {'), undefined);
});

test('exitCodeFor: 1 when a finding at or above the bar exists', () => {
  const only = (severity: Finding['severity']): FileReport[] => [{ path: 'a.py', functions: [], findings: [finding({ code: 'GP101', severity, message: 'm' })] }];
  assert.equal(exitCodeFor(only('error'), 'error'), 1);
  assert.equal(exitCodeFor(only('warning'), 'error'), 0);
  assert.equal(exitCodeFor(only('warning'), 'warning'), 1);
  assert.equal(exitCodeFor(only('info'), 'warning'), 0);
  assert.equal(exitCodeFor(only('info'), 'info'), 1);
  assert.equal(exitCodeFor(only('error'), 'never'), 0);
  assert.equal(exitCodeFor([], 'info'), 0);
});
