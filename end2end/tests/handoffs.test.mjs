// The handoff journey of the demo data, prospect to customer: the SDR accepts an MQL from the
// team queue and requests the handoff to sales from the lead page; the AE accepts it with the
// keyboard ('a'), converts the SQL into an opportunity and marks it won on the board; the
// lead's history shows every step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, hydrated, signIn, shot } from './support.mjs';

const LEAD = 'ren.aoki@hikari-bank.jp';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('an MQL travels from the SDR queue to a won opportunity, decided on approval screens', async () => {
  // --- The SDR: the team queue, soonest due first, shortcuts announced.
  const sdr = await newPage(browser);
  await signIn(sdr, 'tom.baker@accord.test');
  await sdr.click('nav a[href="/handoffs"]');
  await sdr.waitForSelector('[data-testid=shortcut-hint]');
  await hydrated(sdr);
  await Promise.all([sdr.waitForURL(/tab=team/), sdr.click('.tabs a[data-tab=team]')]);
  await sdr.waitForSelector('#queue-table');
  const dues = await sdr.$$eval('#queue-table tbody tr', (rows) => rows.map((r) => Date.parse(r.dataset.due)));
  assert.ok(dues.length >= 2, `expected several MQLs in the SDR queue, got ${dues.length}`);
  assert.deepEqual(dues, [...dues].sort((a, b) => a - b));
  assert.match(await sdr.textContent('[data-testid=shortcut-hint]'), /j[\s\S]*k[\s\S]*a[\s\S]*r/);
  assert.equal(await sdr.getAttribute('[data-testid=accept]', 'aria-keyshortcuts'), 'a');
  assert.ok((await sdr.locator('#queue-table [data-sla=ok]').count()) >= 1);
  await shot(sdr, 'sdr-queue');

  // j moves the selection down the queue.
  const firstId = await sdr.getAttribute('[data-testid=handoff-pane]', 'data-handoff-id');
  await sdr.keyboard.press('j');
  await sdr.waitForFunction(
    (id) => document.querySelector('[data-testid=handoff-pane]')?.dataset.handoffId !== id,
    firstId,
  );
  // Open the journey's lead and accept it.
  const row = sdr.locator('#queue-table tbody tr', { hasText: LEAD });
  await Promise.all([sdr.waitForURL(/id=\d+/), row.locator('[data-testid=queue-row-link]').click()]);
  await sdr.waitForFunction(
    (lead) => document.querySelector('[data-testid=handoff-pane]')?.textContent.includes(lead),
    LEAD,
  );
  await sdr.waitForSelector('#score-breakdown');
  await sdr.waitForSelector('#criteria-report li[data-stage=mql][data-met=met]');
  await sdr.click('[data-testid=accept]');
  await sdr.waitForSelector('[data-testid=decision-done]');
  assert.match(await sdr.textContent('[data-testid=decision-done]'), /Accepted/);

  // The lead page: request the handoff to sales, for Emma, with notes and a meeting.
  await Promise.all([sdr.waitForURL(/\/leads\/\d+$/), sdr.click('[data-testid=decision-done] a')]);
  const leadUrl = sdr.url();
  await sdr.waitForSelector('[data-testid=request-card]');
  await hydrated(sdr);
  await sdr.fill('[data-testid=request-notes]', 'Budget approved for Q1; evaluating two vendors.');
  await sdr.fill('[data-testid=request-meeting]', '2026-12-10T10:00');
  await sdr.selectOption('[data-testid=request-assignee]', { label: 'Emma Clark' });
  await sdr.click('[data-testid=request-submit]');
  await sdr.waitForSelector('[data-testid=request-done]');
  await sdr.waitForSelector('[data-testid=lead-handoffs] li[data-stage=sql][data-status=pending]');

  // --- The AE: her own queue holds it; she accepts it with the keyboard.
  const ae = await newPage(browser);
  await signIn(ae, 'emma.clark@accord.test');
  await ae.goto('/handoffs');
  await ae.waitForSelector('[data-testid=handoff-pane]');
  await hydrated(ae);
  assert.match(await ae.textContent('[data-testid=handoff-pane]'), new RegExp(LEAD.replace(/\./g, '\\.')));
  assert.match(await ae.textContent('[data-testid=handoff-pane]'), /Budget approved for Q1/);
  await ae.keyboard.press('a');
  await ae.waitForSelector('[data-testid=decision-done]');
  assert.match(await ae.textContent('[data-testid=decision-done]'), /Accepted/);

  // She converts the SQL into an opportunity on the lead page.
  await ae.goto(leadUrl);
  await ae.waitForSelector('[data-testid=convert-card]');
  await hydrated(ae);
  await ae.waitForSelector('.lead-subtitle .stage-badge[data-stage=sql]');
  await ae.fill('[data-testid=convert-amount]', '4800000');
  await ae.fill('[data-testid=convert-close]', '2027-03-31');
  await ae.click('[data-testid=convert-submit]');
  await ae.waitForSelector('[data-testid=convert-done]');
  await ae.waitForSelector('.lead-subtitle .stage-badge[data-stage=opportunity]');

  // The board: she marks it won.
  await ae.click('[data-testid=convert-done] a');
  await ae.waitForSelector('#opportunity-board');
  await hydrated(ae);
  const card = ae.locator('[data-testid=opportunity-card]', { hasText: LEAD });
  assert.match(await card.textContent(), /¥4,800,000/);
  await card.locator('[data-testid=mark-won]').click();
  await ae.waitForSelector('[data-testid=board-done]');
  await ae.waitForSelector(`.board-column[data-stage=won] [data-testid=opportunity-card]:has-text("${LEAD}")`);
  await shot(ae, 'opportunity-board');

  // --- The lead's history shows every step, and its handoffs with who decided.
  await sdr.goto(leadUrl);
  await sdr.waitForSelector('#stage-history');
  const history = sdr.locator('#stage-history');
  for (const to of ['mql', 'sql', 'opportunity', 'customer']) {
    assert.equal(await history.locator(`li[data-to=${to}]`).count() >= 1, true, `history reaches ${to}`);
  }
  assert.ok((await history.locator('li[data-cause=handoff]').count()) >= 2, 'both decisions are in the history');
  const handoffs = await sdr.textContent('[data-testid=lead-handoffs]');
  assert.match(handoffs, /tom\.baker@accord\.test/);
  assert.match(handoffs, /emma\.clark@accord\.test/);
  assert.equal(await sdr.locator('[data-testid=lead-handoffs] li[data-status=accepted]').count(), 2);
  await sdr.waitForSelector('.lead-subtitle .stage-badge[data-stage=customer]');
  await shot(sdr, 'lead-customer');
});
