// An SDR leader works the MQL list of the demo data: filters it, sorts it by score, opens the
// best lead, reads why it scored and which criteria it meets, recycles it to Lead (the reason
// is required) and opens its account.
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

test('an SDR leader filters, sorts, opens a lead, recycles it with a reason and opens its account', async () => {
  const page = await newPage(browser);
  await signIn(page, 'sara.lee@accord.test');

  // The lead list, filtered to MQLs through the filter form (the URL carries the filter).
  await page.click('nav a[href="/leads"]');
  await page.waitForSelector('#leads-table');
  await hydrated(page);
  await page.selectOption('#lead-filters select[name=stage]', 'mql');
  await Promise.all([
    page.waitForURL(/[?&]stage=mql/),
    page.click('[data-testid=apply-filters]'),
  ]);
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#leads-table tbody tr')];
    return rows.length > 0 && rows.every((r) => r.dataset.stage === 'mql');
  });

  // Sorted by score, biggest first.
  await Promise.all([
    page.waitForURL(/sort=score/),
    page.click('#leads-table th a[data-sort=score]'),
  ]);
  await page.waitForSelector('#leads-table th[aria-sort=descending] a[data-sort=score]');
  const scores = await page.$$eval('#leads-table tbody tr', (rows) => rows.map((r) => Number(r.dataset.score)));
  assert.ok(scores.length >= 2, `expected several MQLs, got ${scores}`);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
  assert.match(page.url(), /stage=mql/);
  await shot(page, 'leads-list');

  // The reload keeps the view: the URL is the state.
  await page.reload();
  await page.waitForSelector('#leads-table th[aria-sort=descending] a[data-sort=score]');
  await hydrated(page);

  // Open the best lead: its score breakdown adds up and its MQL criteria are met.
  const top = page.locator('#leads-table tbody tr').first();
  const email = (await top.locator('td').first().textContent()).trim();
  await Promise.all([page.waitForURL(/\/leads\/\d+$/), top.locator('a').first().click()]);
  await page.waitForSelector('#score-breakdown');
  await hydrated(page);
  assert.equal(Number(await page.textContent('[data-testid=score-total]')), scores[0]);
  assert.ok((await page.locator('#score-breakdown tbody tr').count()) >= 2);
  await page.waitForSelector('#criteria-report li[data-stage=mql][data-met=met]');
  assert.match(await page.textContent('#criteria-report li[data-stage=mql]'), /Lead score ≥ 60/);
  assert.match(await page.textContent('[data-testid=lead-facts]'), new RegExp(email.replace('.', '\\.')));

  // Recycle it to Lead: without a reason the server refuses and the field says why.
  await page.selectOption('[data-testid=move-stage]', 'lead');
  await page.click('[data-testid=move-submit]');
  await page.waitForSelector('[data-testid=reason-error]:not(:empty)');
  assert.match(await page.textContent('[data-testid=reason-error]'), /required to move a lead back/);
  assert.equal(await page.getAttribute('[data-testid=move-reason]', 'aria-invalid'), 'true');

  // With a reason it moves, and the history records who, why and under which version.
  await page.fill('[data-testid=move-reason]', 'No budget until next fiscal year');
  await page.click('[data-testid=move-submit]');
  await page.waitForSelector('#stage-history li[data-cause=manual][data-to=lead]');
  const row = await page.textContent('#stage-history li[data-cause=manual][data-to=lead]');
  assert.match(row, /No budget until next fiscal year/);
  assert.match(row, /sara\.lee@accord\.test/);
  assert.match(row, /Manual move/);
  await page.waitForSelector('.lead-subtitle .stage-badge[data-stage=lead]');
  await shot(page, 'lead-detail');

  // Its account lists the lead under its new stage.
  await Promise.all([page.waitForURL(/\/accounts\/\d+$/), page.click('[data-testid=account-link]')]);
  await page.waitForSelector('section.stage-group');
  assert.match(await page.textContent('section.stage-group[data-stage=lead]'), new RegExp(email.replace('.', '\\.')));
  await shot(page, 'account-detail');
  await page.context().close();
});
