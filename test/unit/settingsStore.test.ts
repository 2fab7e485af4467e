// The server's settings for a document: in a browser the editor's settings and the config files
// are both round trips to the client, so they are asked for together, not one after the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SettingsStore } from '../../src/server/settingsStore';

test('the config files are fetched while the editor settings are asked for, and both are applied', async () => {
  const events: string[] = [];
  let answerSettings: (v: unknown) => void = () => undefined;
  const store = new SettingsStore(
    () => {
      events.push('editor settings asked');
      return new Promise((resolve) => { answerSettings = resolve; });
    },
    () => '/ws',
    () => undefined,
    async () => {
      events.push('config files asked');
      return (file) => (file === '/ws/gradprobe.toml' ? 'range = 7\n' : undefined);
    },
  );
  const pending = store.get('mem:/ws/a.py', '/ws/a.py');
  // Let the store's first steps run while the editor has not answered.
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(events.slice().sort(), ['config files asked', 'editor settings asked'], 'both asked before the editor answered');
  answerSettings({ timeBudgetMs: 1234 });
  const s = await pending;
  assert.equal(s.core.range, 7, 'the config file applied');
  assert.equal(s.core.timeBudgetMs, 1234, 'the editor settings applied');
});

test('a config reader that fails leaves the defaults and the editor settings', async () => {
  const logs: string[] = [];
  const store = new SettingsStore(async () => ({ timeBudgetMs: 999 }), () => '/ws', (m) => logs.push(m), async () => { throw new Error('offline'); });
  const s = await store.get('mem:/ws/b.py', '/ws/b.py');
  assert.equal(s.core.timeBudgetMs, 999);
  assert.ok(logs.some((m) => m.includes('offline')), logs.join('\n'));
});
