/** The single-report screen in a real browser: labeling as you type, Normal/empty states, evidence, ICD-10, XSS. */
import { describe, expect, it } from 'vitest';
import { useApp } from './app-helpers.ts';

const app = useApp('#single');

async function typeReport(text: string) {
  const input = app.page.getByTestId('report-input');
  await input.fill(text);
}

describe('single report', () => {
  it('shows the empty state for a blank report, never Normal', async () => {
    const summary = app.page.getByTestId('result-summary');
    await expect.poll(() => summary.getAttribute('data-status')).toBe('empty');
    await expect.poll(() => summary.textContent()).toContain('Empty');
    await typeReport('   \n  ');
    await app.page.waitForTimeout(400);
    expect(await summary.getAttribute('data-status')).toBe('empty');
    expect(await summary.getAttribute('data-normal')).toBe('false');
  });

  it('labels typed text: findings table with status words and the Normal state', async () => {
    await typeReport('FINDINGS: Lungs are clear. No pleural effusion or pneumothorax.\nIMPRESSION: No acute disease.');
    const summary = app.page.getByTestId('result-summary');
    await expect.poll(() => summary.getAttribute('data-normal')).toBe('true');
    expect(await summary.textContent()).toContain('Normal');
    const effusion = app.page.locator('[data-testid="findings-table"] tr[data-finding="Pleural Effusion"]');
    expect(await effusion.getAttribute('data-status')).toBe('negative');
    expect(await effusion.textContent()).toContain('negative');
  });

  it('marks positive findings and highlights the mention and the trigger in the text', async () => {
    await typeReport('FINDINGS: Moderate right pleural effusion. The heart is enlarged. No pneumothorax.\nIMPRESSION: Effusion and cardiomegaly.');
    const table = app.page.getByTestId('findings-table');
    await expect.poll(() => table.locator('tr[data-finding="Pleural Effusion"]').getAttribute('data-status')).toBe('positive');
    expect(await table.locator('tr[data-finding="Cardiomegaly"]').getAttribute('data-status')).toBe('positive');
    expect(await table.locator('tr[data-finding="Pneumothorax"]').getAttribute('data-status')).toBe('negative');
    const summary = await app.page.getByTestId('result-summary').textContent();
    expect(summary).toContain('Pleural Effusion');
    expect(summary).not.toContain('Normal');

    const text = app.page.getByTestId('evidence-text');
    const mentions = await text.locator('mark[data-kind="mention"]').allTextContents();
    expect(mentions.join('|').toLowerCase()).toContain('pneumothorax');
    const negMention = text.locator('mark.mention-negative', { hasText: 'pneumothorax' });
    expect(await negMention.count()).toBe(1);
    const triggers = await text.locator('mark[data-kind="trigger"]').allTextContents();
    expect(triggers).toContain('No');
    // Highlighting never changes the text itself.
    expect(await text.textContent()).toBe(await app.page.getByTestId('report-input').inputValue());
  });

  it('lists ICD-10-CM codes for the report', async () => {
    await typeReport('FINDINGS: Large left pleural effusion.\nIMPRESSION: Left pleural effusion.');
    const list = app.page.getByTestId('icd10-list');
    await expect.poll(() => list.locator('li').count()).toBeGreaterThan(0);
    const items = await list.locator('li').allTextContents();
    expect(items.join(' ')).toMatch(/J9[01]/);
  });

  it('labels an example report with one click', async () => {
    await app.page.getByRole('button', { name: 'Pneumothorax with chest tube' }).click();
    const table = app.page.getByTestId('findings-table');
    await expect.poll(() => table.locator('tr[data-finding="Pneumothorax"]').getAttribute('data-status')).toBe('positive');
    expect(await table.locator('tr[data-finding="Support Devices"]').getAttribute('data-status')).toBe('positive');
    await app.page.screenshot({ path: '/tmp/radreportx-app-single.png', fullPage: true });
  });

  it('copies the result as JSON', async () => {
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.server.origin });
    await app.page.getByRole('button', { name: 'Effusion and cardiomegaly' }).click();
    await expect.poll(() => app.page.getByTestId('result-summary').textContent()).toContain('Cardiomegaly');
    await app.page.getByTestId('copy-json').click();
    await expect.poll(() => app.page.getByRole('status').filter({ hasText: 'Copied' }).count()).toBe(1);
    const copied = JSON.parse(await app.page.evaluate(() => navigator.clipboard.readText()));
    expect(copied.status).toBe('ok');
    expect(copied.findings.Cardiomegaly).toBe('positive');
    expect(copied.evidence.length).toBeGreaterThan(0);
  });

  it('keeps HTML and script in a report as plain text', async () => {
    await app.page.evaluate(() => ((window as unknown as { __xss?: number }).__xss = 0));
    const payload =
      'FINDINGS: <img src=x onerror="window.__xss=1"> pleural effusion <script>window.__xss=2</script> ' +
      '<svg onload="window.__xss=3"></svg><iframe src="javascript:window.__xss=4"></iframe>';
    await typeReport(payload);
    const text = app.page.getByTestId('evidence-text');
    await expect.poll(() => text.textContent()).toBe(payload);
    await app.page.waitForTimeout(500);
    expect(await text.locator('img, script, svg, iframe').count()).toBe(0);
    expect(await app.page.locator('#app img, #app iframe').count()).toBe(0);
    expect(await app.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBe(0);
    expect(app.dialogs).toEqual([]);
  });

  it('refuses a 1 MB report with a clear message instead of freezing', async () => {
    const big = 'FINDINGS: ' + 'The lungs are clear. '.repeat(50_000);
    await app.page.getByTestId('report-input').evaluate((el, v) => {
      const t = el as HTMLTextAreaElement;
      t.value = v;
      t.dispatchEvent(new Event('input', { bubbles: true }));
    }, big);
    const summary = app.page.getByTestId('result-summary');
    await expect.poll(() => summary.getAttribute('data-status'), { timeout: 15_000 }).toBe('error');
    expect(await summary.textContent()).toMatch(/over the 200,000-character limit/);
    expect(await summary.getAttribute('data-normal')).toBe('false');
  });

  it('made no request beyond 127.0.0.1 and raised no page error', () => {
    expect(app.blocked).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  });
});
