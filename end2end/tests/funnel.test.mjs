// The funnel journey: the sales leader opens the funnel (the home page), filters it to target
// accounts, switches the version lens to the draft proposal (Lead = 100+ employees) and back,
// opens the SDR's part of the funnel, downloads the funnel CSV, and looks at it in Japanese.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, hydrated, signIn, shot } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The numbers of one column of the stage table, by stage key. */
async function column(page, testid) {
  return page.$$eval(`[data-testid=funnel-table] tbody tr`, (rows, id) =>
    Object.fromEntries(rows.map((r) => [r.dataset.stage, Number(r.querySelector(`[data-testid=${id}]`).textContent.replace(/[^0-9-]/g, ''))])),
  testid);
}

test('the funnel filters to target accounts, looks through a proposal and exports CSV', async () => {
  const page = await newPage(browser);
  await signIn(page, 'hiro.tanaka@accord.test');
  // The funnel is the home page: server-rendered charts and the stage table.
  await page.waitForSelector('[data-testid=funnel-table]');
  await page.waitForSelector('[data-testid=funnel-chart] svg .bar-row');
  await page.waitForSelector('[data-testid=trend-chart] svg polyline');
  assert.equal(await page.textContent('h1.page-title'), 'Funnel');
  const stages = await page.$$eval('[data-testid=funnel-table] tbody tr', (rows) => rows.map((r) => r.dataset.stage));
  assert.deepEqual(stages, ['prospect', 'subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer']);
  const all = await column(page, 'now');
  const entered = await column(page, 'entered');
  assert.ok(Object.values(all).reduce((a, b) => a + b) > 100, 'the demo has a funnel');
  assert.ok(entered.prospect > 0, 'leads entered the funnel in the period');
  await shot(page, 'funnel');

  // After hydration, pointing at a bar tells its numbers.
  await page.hover('[data-testid=funnel-chart] .bar-row[data-stage=mql]');
  await page.waitForFunction(() => /MQL/.test(document.querySelector('[data-testid=chart-tip]').textContent));

  // Target accounts only: fewer leads, and the URL holds the filter.
  await page.check('[data-testid=target-only]');
  await Promise.all([page.waitForURL(/target_only=true/), page.click('[data-testid=apply-filters]')]);
  // The old numbers stay on screen while the new ones load: wait for the table of the filter.
  await page.waitForSelector('[data-testid=funnel-table][data-filter*="target_only=true"]');
  assert.equal(await page.isChecked('[data-testid=target-only]'), true);
  const targets = await column(page, 'now');
  const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
  assert.ok(sum(targets) > 0 && sum(targets) < sum(all), `targets ${sum(targets)} of ${sum(all)}`);
  await shot(page, 'funnel-targets');

  // The version lens: the open proposal, side by side with the actual funnel.
  const chip = page.locator('[data-testid=lens] a[data-lens^=proposal]').first();
  await Promise.all([page.waitForURL(/proposal=\d+/), chip.click()]);
  await page.waitForSelector('[data-testid=lens-banner]');
  assert.match(page.url(), /target_only=true/, 'the lens keeps the filters');
  const actual = await column(page, 'actual-now');
  const lensed = await column(page, 'lens-now');
  assert.deepEqual(actual, targets, 'the actual column is the funnel without the lens');
  assert.equal(sum(lensed), sum(actual), 'the lens moves leads, it does not lose them');
  assert.match(await page.textContent('[data-testid=lens-banner]'), /ICP|100|proposal/i);
  await shot(page, 'funnel-lens');

  // The SDR's part of the funnel, one click away, keeps the filters and the lens.
  await Promise.all([page.waitForURL(/owner_team=sdr/), page.click('[data-testid=view-sdr]')]);
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid=funnel-table] tbody tr')].map((r) => r.dataset.stage).join() === 'mql,sql');
  assert.equal(await page.getAttribute('[data-testid=team-link]', 'href'), '/handoffs');

  // The funnel CSV of what is on screen.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=funnel-csv]')]);
  const path = await download.path();
  const csv = (await import('node:fs')).readFileSync(path, 'utf8').trim().split('\n');
  assert.match(csv[0], /^period_from,period_to,key,name,owner_team,current,actual_current,entered/);
  assert.deepEqual(csv.slice(1).map((l) => l.split(',')[2]), ['mql', 'sql']);
  await page.context().close();
});

test('the funnel reads in Japanese', async () => {
  const page = await newPage(browser, { locale: 'ja-JP' });
  await signIn(page, 'mika.sato@accord.test');
  await page.click('[data-testid=locale-ja]');
  await page.waitForFunction(() => document.querySelector('h1.page-title')?.textContent === 'ファネル');
  await page.waitForSelector('[data-testid=funnel-table]');
  assert.match(await page.textContent('[data-testid=funnel-table] thead'), /流入/);
  assert.match(await page.textContent('[data-testid=trend-chart]'), /週ごとのステージ流入/);
  await shot(page, 'funnel-ja');
  // The choice is saved on the user: put it back for the other journeys.
  await page.click('[data-testid=locale-en]');
  await page.waitForFunction(() => document.querySelector('h1.page-title')?.textContent === 'Funnel');
  await page.context().close();
});
