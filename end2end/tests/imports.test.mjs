// A marketer imports a Shift_JIS file exported from a Japanese CRM: the Japanese headers are
// matched, a broken mapping is caught before anything runs, the dry run says what would
// happen, the real run does it, and the error report lists the row that was not taken.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launch, newPage, hydrated, signIn, shot } from './support.mjs';

const FIXTURE = fileURLToPath(new URL('../../app/tests/fixtures/imports/leads_ja_shift_jis.csv', import.meta.url));

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function jobDone(page, dryRun) {
  await page.waitForSelector(`[data-testid=job][data-status=done][data-dry-run=${dryRun}]`, { timeout: 60_000 });
  const count = async (name) => Number(await page.textContent(`[data-testid=counts] [data-count=${name}] dd`));
  return {
    created: await count('created'),
    updated: await count('updated'),
    unchanged: await count('unchanged'),
    failed: await count('failed'),
  };
}

test('a marketer imports a Shift_JIS file through the wizard: mapping, dry run, import, error report', async () => {
  const page = await newPage(browser);
  await signIn(page, 'ken.ito@accord.test');
  await Promise.all([page.waitForURL('**/imports'), page.click('nav a[href="/imports"]')]);
  await page.waitForSelector('[data-testid=upload-form]');
  await hydrated(page);

  // Upload: the encoding is detected.
  await page.setInputFiles('[data-testid=upload-form] input[type=file]', FIXTURE);
  await page.click('[data-testid=upload-form] button[type=submit]');
  await page.waitForSelector('[data-testid=mapping] #mapping-table');
  const mapping = page.locator('[data-testid=mapping]');
  assert.match(await mapping.textContent(), /Shift_JIS/);
  // Japanese headers were matched to fields.
  const email = page.locator('#mapping-table select[aria-label="メールアドレス"]');
  assert.equal(await email.inputValue(), 'email');
  assert.equal(await page.locator('#mapping-table select[aria-label="従業員数"]').inputValue(), 'employees');
  assert.equal(await page.locator('#mapping-table select[aria-label="ライフサイクルステージ"]').inputValue(), 'lifecycle_stage');

  // Unmapping the email column is caught before anything runs.
  await email.selectOption('');
  await page.waitForSelector('[data-testid=mapping-problems] li');
  assert.match(await page.textContent('[data-testid=mapping-problems]'), /Email/);
  assert.equal(await page.isDisabled('[data-testid=dry-run]'), true);
  await email.selectOption('email');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=mapping-problems] li').length === 0);
  await shot(page, 'import-mapping');

  // The dry run reports and writes nothing.
  await page.click('[data-testid=dry-run]');
  const dry = await jobDone(page, true);
  assert.deepEqual(dry, { created: 2, updated: 0, unchanged: 0, failed: 1 });
  assert.match(await page.textContent('#moves-table'), /mql/);
  const before = await page.evaluate(async () => (await (await fetch('/api/v1/leads?q=example.co.jp')).json()).total);
  assert.equal(before, 0);
  await shot(page, 'import-dry-run');

  // The real run does what the dry run said.
  await page.click('[data-testid=run-import]');
  const real = await jobDone(page, false);
  assert.deepEqual(real, dry);
  const leads = await page.evaluate(async () => (await (await fetch('/api/v1/leads?q=example.co.jp')).json()).items);
  const taro = leads.find((l) => l.email === 'taro@example.co.jp');
  assert.equal(taro.stage, 'mql');
  assert.equal(taro.last_name, '山田');
  await shot(page, 'import-done');

  // The error report names the row, the columns and the values that were refused.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=error-report]')]);
  const report = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
  const lines = report.trim().split(/\r?\n/);
  assert.equal(lines[0], 'row,column,value,message');
  assert.ok(lines.slice(1).every((l) => l.startsWith('4,')), report);
  assert.match(report, /employees,マイナス,/);
  assert.match(report, /lifecycle_stage,未知,/);

  // The import is listed with the latest ones.
  await page.reload();
  await page.waitForSelector('#recent-imports');
  assert.match(await page.textContent('#recent-imports'), /leads_ja_shift_jis\.csv/);
});
