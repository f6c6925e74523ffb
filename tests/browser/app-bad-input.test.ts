/**
 * Bad input gets a clear message in the page's alert region (never a dialog) and loses nothing already stored:
 * empty file, header without rows, a file that is not CSV, no text-like column, broken quoting, a full disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvLine } from '../../src/lib/csv/write.ts';
import { generateReports, seededRandom } from '../../src/lib/synthetic.ts';
import { downloadText, jobRows, openApp, useApp, waitForJobState } from './app-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'radreportx-bad-'));
const write = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

const app = useApp('#batch');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const alerts = () => app.page.getByRole('alert');
async function dismissAll() {
  for (const b of await alerts().getByRole('button', { name: /Dismiss/ }).all()) await b.click();
}

describe('bad input', () => {
  it('an empty file', async () => {
    await app.page.getByTestId('batch-file').setInputFiles(write('empty.csv', ''));
    await expect.poll(() => alerts().textContent()).toContain('"empty.csv" is empty: there is nothing to label.');
    expect(await app.page.getByTestId('batch-start').count()).toBe(0);
    await dismissAll();
  });

  it('a header with no rows', async () => {
    await app.page.getByTestId('batch-file').setInputFiles(write('header-only.csv', 'id,report\n'));
    await expect.poll(() => alerts().textContent()).toContain('has a header but no rows');
    await dismissAll();
  });

  it('a file that is not CSV', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    await app.page.getByTestId('batch-file').setInputFiles(write('scan.png', png));
    await expect.poll(() => alerts().textContent()).toContain('"scan.png" is not a CSV file');
    await dismissAll();
  });

  it('a CSV without any text-like column', async () => {
    await app.page.getByTestId('batch-file').setInputFiles(write('numbers.csv', 'id,age,score\n1,54,0.3\n2,61,0.7\n'));
    await expect.poll(() => alerts().textContent()).toContain('No column in "numbers.csv" looks like report text (columns: "id", "age", "score")');
    // Nothing is preselected, so a job cannot start until the user picks a column.
    expect(await app.page.getByTestId('batch-start').isDisabled()).toBe(true);
    await dismissAll();
  });

  it('broken quoting: the bad rows become error rows with a message, the rest is labeled', async () => {
    const content =
      'id,report\n' +
      'A1,"No pleural effusion. Lungs are clear."\n' +
      'A2,Moderate cardiomegaly.\n' +
      'A3,Lungs clear,an extra field\n' +
      'A4,"Small left pneumothorax.\n' +
      'A5,Lungs clear.\n';
    await app.page.getByTestId('batch-file').setInputFiles(write('quotes.csv', content));
    await app.page.getByTestId('batch-start').click();
    await waitForJobState(app.page, 'quotes.csv', 'done');
    const card = app.page.locator('[data-testid="job-card"]', { hasText: 'quotes.csv' });
    await expect.poll(() => alerts().textContent()).toContain('some rows could not be read. Row 3 has 3 fields but the header has 2');
    expect(await card.textContent()).toContain('(1 more row could not be read either)');
    const { text } = await downloadText(app.page, () => card.getByTestId('export-csv').click());
    const rows = text.trimEnd().split('\n').map((l) => l.split(',').slice(0, 3));
    expect(rows[1]).toEqual(['A1', 'Normal', 'ok']);
    expect(rows[2]).toEqual(['A2', 'Cardiomegaly', 'ok']);
    expect(rows[3]).toEqual(['A3', '', 'error']);
    // The quote still open at the end makes its row an error (never Normal), and does not swallow the next row.
    expect(rows[4]).toEqual(['A4', '', 'error']);
    expect(rows[5]).toEqual(['A5', 'Normal', 'ok']);
    expect(rows.length).toBe(6);
    const { text: jsonl } = await downloadText(app.page, () => card.getByTestId('export-jsonl').click());
    expect(JSON.parse(jsonl.trimEnd().split('\n')[3]).message).toContain('opens a quoted field that is never closed');
    await dismissAll();
  });

  it('a full disk pauses the job with a message, keeps what was stored, and resumes once there is room', async () => {
    // A fresh origin, so the quota below is measured against this job alone.
    const fresh = await openApp('#batch');
    try {
      const { page } = fresh;
      const n = 6000;
      const ids = Array.from({ length: n }, (_, i) => `Q${i + 1}`);
      // Each report ends in random letters: the browser compresses what it stores, and the generated reports alone
      // compress so well that every row would fit in the room below.
      const random = seededRandom(7);
      const noise = () => Array.from({ length: 300 }, () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 26)]).join('');
      const reports = generateReports(n, 3).map((r) => `${r} ${noise()}`);
      const content = csvLine(['id', 'report']) + ids.map((id, i) => csvLine([id, reports[i]])).join('');
      const path = write('quota.csv', content);
      const cdp = await fresh.context.newCDPSession(page);
      // Room for the file and a few chunks of results, not for the whole job.
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: fresh.server.origin, quotaSize: content.length + 2_500_000 });

      await page.getByTestId('batch-file').setInputFiles(path);
      await page.getByTestId('batch-start').click();
      await waitForJobState(page, 'quota.csv', 'paused', 60_000);
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.textContent()).toContain('The browser has no room left to store more results. Everything saved before this point is kept.');
      const card = page.locator('[data-testid="job-card"]', { hasText: 'quota.csv' });
      expect(await card.textContent()).toContain('no room left');
      const kept = await jobRows(page, 'quota.csv');
      expect(kept).toBeLessThan(n);

      await cdp.send('Storage.overrideQuotaForOrigin', { origin: fresh.server.origin });
      await card.getByTestId('job-resume').click();
      await waitForJobState(page, 'quota.csv', 'done', 60_000);
      const { text } = await downloadText(page, () => card.getByTestId('export-csv').click());
      expect(text.trimEnd().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual(ids);
      expect(fresh.dialogs).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('a job whose file the browser could not keep asks for it again and refuses a different one', async () => {
    // Enough rows that the job is still running when the test pauses it, however fast the machine.
    const n = 40_000;
    const path = write('refile.csv', csvLine(['id', 'report']) + generateReports(n, 5).map((r, i) => csvLine([`R${i + 1}`, r])).join(''));
    await app.page.getByTestId('batch-file').setInputFiles(path);
    await app.page.getByTestId('batch-start').click();
    await expect.poll(() => jobRows(app.page, 'refile.csv'), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(1000);
    const card = app.page.locator('[data-testid="job-card"]', { hasText: 'refile.csv' });
    await card.getByTestId('job-pause').click();
    await waitForJobState(app.page, 'refile.csv', 'paused');
    const kept = await jobRows(app.page, 'refile.csv');
    // What a refused Blob leaves behind (quota): the job's metadata without the file.
    await app.page.evaluate(`(async () => {
      const req = indexedDB.open('radreportx');
      const db = await new Promise((ok) => (req.onsuccess = () => ok(req.result)));
      const tx = db.transaction(['jobs', 'files'], 'readwrite');
      const jobs = tx.objectStore('jobs');
      const all = await new Promise((ok) => { const r = jobs.getAll(); r.onsuccess = () => ok(r.result); });
      const job = all.find((j) => j.file.name === 'refile.csv');
      jobs.put({ ...job, fileStored: false });
      tx.objectStore('files').delete(job.id);
      await new Promise((ok) => (tx.oncomplete = ok));
    })()`);
    await app.page.reload();
    await waitForJobState(app.page, 'refile.csv', 'paused');
    expect(await card.textContent()).toContain('Choose the same file again');
    expect(await card.getByTestId('job-resume').count()).toBe(0);

    await card.getByTestId('job-refile').setInputFiles(write('other.csv', 'id,report\n1,Lungs clear.\n'));
    await expect.poll(() => alerts().textContent()).toContain('"other.csv" is not the file this job was started with ("refile.csv"');
    expect(await jobRows(app.page, 'refile.csv')).toBe(kept);

    await card.getByTestId('job-refile').setInputFiles(path);
    await waitForJobState(app.page, 'refile.csv', 'done', 120_000);
    const { text } = await downloadText(app.page, () => card.getByTestId('export-csv').click());
    expect(text.trimEnd().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual(Array.from({ length: n }, (_, i) => `R${i + 1}`));
  });

  it('used the alert region, never a dialog, and stayed on 127.0.0.1', () => {
    expect(app.dialogs).toEqual([]);
    expect(app.blocked).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  });
});
