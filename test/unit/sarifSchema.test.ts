// The SARIF output against the SARIF 2.1.0 JSON schema (test/fixtures/sarif/, from Microsoft's
// sarif-multitool npm package), with ajv: the demo's run (a notebook included) and edge cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { formatSarif } from '../../src/cli/format';
import { ruleCatalog } from '../../src/core/findings/rules';
import type { FileReport } from '../../src/core/findings/types';

const root = join(__dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(root, 'test/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;

function validator(): (log: unknown) => string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // The schema's formats, checked here because ajv-formats is not a dependency: enough to catch a
  // relative path where a URI must be, a malformed date or GUID.
  ajv.addFormat('uri', (s: string) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => !/[\s\\]/.test(s) && URL.canParse(s, 'file:///base/'));
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  const validate = ajv.compile(schema);
  return (log) => (validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

const validate = validator();

test('sarif: the demo run (files, a notebook, file-level findings) is valid SARIF 2.1.0', () => {
  const run = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'check', 'examples', '--format', 'sarif', '--fail-on', 'never'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(run.status, 0, run.stderr);
  const log = JSON.parse(run.stdout) as { runs: { results: { properties: { notebook?: unknown } }[] }[] };
  assert.ok(log.runs[0].results.some((r) => r.properties.notebook), 'the demo has notebook findings');
  assert.deepEqual(validate(log), []);
});

test('sarif: odd evidence (NaN, typed arrays), odd paths and a file-level finding stay valid', () => {
  const reports: FileReport[] = [
    {
      path: 'dir with space/#odd%name.py',
      functions: [],
      findings: [
        { code: 'GP101', severity: 'error', function: 'f', message: 'NaN\nacross lines', span: { startLine: 0, startCol: 0, endLine: 0, endCol: 3 }, evidence: { x: [NaN, Infinity, -Infinity], table: new Float32Array([1, 2]) } },
        { code: 'GP002', severity: 'warning', message: 'too large', span: { startLine: 0, startCol: 0, endLine: 0, endCol: 0 }, evidence: { bytes: 5_000_000 } },
      ],
    },
    { path: 'nb.ipynb', functions: [], findings: [{ code: 'GP108', severity: 'info', function: 'g', message: 'dip', cell: 3, span: { startLine: 1, startCol: 2, endLine: 1, endCol: 4 }, evidence: {} }] },
  ];
  assert.deepEqual(validate(JSON.parse(formatSarif(reports, '0.1.0', ruleCatalog))), []);
});

test('sarif: the validator rejects what the schema forbids (so the checks above can fail)', () => {
  const good = JSON.parse(formatSarif([{ path: 'a.py', functions: [], findings: [{ code: 'GP101', severity: 'error', function: 'f', message: 'm', span: { startLine: 0, startCol: 0, endLine: 0, endCol: 1 }, evidence: {} }] }], '0.1.0', ruleCatalog)) as {
    version: string; runs: { results: { level: string; locations: { physicalLocation: { region: { startLine: number } } }[] }[]; tool: { driver: { informationUri: string } } }[];
  };
  assert.deepEqual(validate(good), []);
  const zeroLine = structuredClone(good);
  zeroLine.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
  assert.notDeepEqual(validate(zeroLine), []);
  const badLevel = structuredClone(good);
  badLevel.runs[0].results[0].level = 'fatal';
  assert.notDeepEqual(validate(badLevel), []);
  const badUri = structuredClone(good);
  badUri.runs[0].tool.driver.informationUri = 'not a uri';
  assert.notDeepEqual(validate(badUri), []);
  assert.notDeepEqual(validate({ ...good, version: '2.0.0' }), []);
});
