// The heart of Accord in the browser: a sales leader proposes raising the Lead threshold
// from 50 to 100 employees; a marketing leader approves and publishes it.
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

test('a sales leader proposes 50 → 100 and a marketing leader approves and publishes it', async () => {
  // The sales leader drafts the change in the editor.
  const sales = await newPage(browser);
  await signIn(sales, 'hiro.tanaka@accord.test');
  await sales.click('nav a[href="/definitions"]');
  await sales.waitForSelector('#stages-table');
  assert.match(await sales.textContent('#stages-table tr[data-stage=lead]'), /≥ 50/);
  await Promise.all([sales.waitForURL('**/proposals/new'), sales.click('[data-testid=new-proposal]')]);
  await sales.waitForSelector('#proposal-editor');
  await hydrated(sales);
  await sales.fill('#proposal-editor input[name=title]', 'Leads need 100+ employees');
  await sales.fill('#proposal-editor textarea[name=rationale]', 'Win rates below 100 employees are under 5 %.');
  const value = sales.locator('section.stage-editor[data-stage=lead] div.condition[data-path="stages.lead.entry.all[0]"] .condition-value');
  // Validation as you type: a non-number is named at once, and the save is blocked.
  await value.fill('');
  await sales.waitForSelector('[data-testid=problems].panel-error');
  await value.fill('100');
  await sales.waitForSelector('[data-testid=problems]:not(.panel-error)');
  await shot(sales, 'proposal-editor');
  await Promise.all([
    sales.waitForURL(/\/proposals\/\d+$/),
    sales.click('[data-testid=save-proposal]'),
  ]);
  const url = sales.url();
  await sales.waitForSelector('[data-testid=diff-list]');
  assert.match(await sales.textContent('[data-testid=diff-list]'), /50[\s\S]*100/);
  assert.equal(await sales.locator('[data-testid=approvals] li[data-status=pending]').count(), 2);
  // The impact preview is computed in the browser: the demo's leads at 60 and 85 employees
  // would no longer qualify as leads (not applied on publish without requalify).
  await sales.waitForSelector('[data-testid=impact] #impact-table');
  assert.match(await sales.textContent('[data-testid=impact]'), /leads evaluated/);
  assert.match(await sales.textContent('#impact-table'), /subscriber/);

  // The author approves for sales; publishing is not possible yet.
  await hydrated(sales);
  await sales.click('[data-testid=approve]');
  await sales.waitForSelector('[data-testid=approvals] li[data-team=sales][data-status=approved]');
  assert.equal(await sales.locator('[data-testid=approvals] li[data-team=marketing][data-status=pending]').count(), 1);
  await sales.context().close();

  // The marketing leader reviews the diff, approves and publishes (after confirming).
  const marketing = await newPage(browser);
  await signIn(marketing, 'mika.sato@accord.test');
  await marketing.goto(url);
  await marketing.waitForSelector('[data-testid=diff-list]');
  await hydrated(marketing);
  assert.match(await marketing.textContent('[data-testid=proposal-title]'), /Leads need 100\+ employees/);
  await marketing.click('[data-testid=approve]');
  await marketing.waitForSelector('[data-testid=approvals] li[data-team=marketing][data-status=approved]');
  await shot(marketing, 'approval-screen');
  await marketing.click('[data-testid=publish-details] summary');
  await marketing.click('[data-testid=publish-confirm]');
  await marketing.waitForSelector('text=Published as version 2');
  await marketing.waitForFunction(() => document.querySelector('[data-testid=proposal-status]')?.textContent === 'Published');

  // Version 2 is current and says 100; the history names who published it.
  await marketing.goto('/definitions');
  await marketing.waitForSelector('#stages-table');
  assert.match(await marketing.textContent('.version-heading'), /Version 2/);
  assert.match(await marketing.textContent('#stages-table tr[data-stage=lead]'), /≥ 100/);
  assert.match(await marketing.textContent('#history-table'), /Leads need 100\+ employees/);
  assert.match(await marketing.textContent('#history-table'), /Mika Sato/);

  // The audit trail shows each step and an intact chain.
  await marketing.click('nav a[href="/audit"]');
  await marketing.waitForSelector('#audit-table');
  assert.match(await marketing.textContent('[data-testid=chain-status]'), /intact/);
  const audit = await marketing.textContent('#audit-table');
  for (const action of ['Proposal created', 'Proposal approved', 'Proposal published']) {
    assert.ok(audit.includes(action), `${action} missing from the audit page`);
  }
  await marketing.context().close();
});

test('an approver who is not on a required team sees no approve button', async () => {
  const page = await newPage(browser);
  await signIn(page, 'sara.lee@accord.test');
  await page.goto('/proposals');
  await page.waitForSelector('#proposals-table');
  await page.click('#proposals-table a');
  await page.waitForSelector('[data-testid=approvals]');
  assert.equal(await page.locator('[data-testid=approve]').count(), 0);
  assert.equal(await page.locator('[data-testid=publish-details]').count(), 0);
  await page.context().close();
});
