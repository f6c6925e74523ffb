/** Small things several browser tests do to a page: watch for CSP violations, score two CSV files in Evaluate. */
import type { Page } from 'playwright-core';

/**
 * Collects the page's Content-Security-Policy violations (directive, blocked URI, sample), each prefixed with
 * `label`. Call before the first navigation; the returned list fills as violations happen.
 */
export async function recordCspViolations(page: Page, label = ''): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeFunction('reportViolation', (v: string) => violations.push(label + v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { reportViolation(v: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`),
    );
  });
  return violations;
}

/** Opens the Evaluate tab, loads a reference CSV and a predictions CSV, and starts the evaluation. */
export async function evaluateCsvFiles(page: Page, referenceCsv: string, predictionsCsv: string): Promise<void> {
  await page.getByTestId('tab-evaluate').click();
  await page.getByTestId('eval-reference-file').setInputFiles(referenceCsv);
  await page.getByTestId('eval-kind-csv').check();
  await page.getByTestId('eval-predictions-file').setInputFiles(predictionsCsv);
  await page.getByTestId('eval-predictions-join').waitFor();
  await page.getByTestId('eval-run').click();
}
