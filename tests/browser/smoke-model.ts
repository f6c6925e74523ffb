/**
 * `npm run smoke:model -- --model <id>`: the real-inference check for a machine with a GPU and the model files.
 * Serves the built site (dist/, which holds public/models/) on 127.0.0.1, starts Chrome/Chromium with hardware
 * WebGPU, loads the model from the local site through the Model tab, labels a few example reports through the
 * Compare view, and prints load time, latency, tokens/s and agreement with the reports' expected labels.
 *
 *   npm run build && npm run smoke:model -- --model RadReportX-8B-q4f16_1
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { FINDINGS, type Finding } from '../../src/lib/findings.ts';
import deploy from '../../deploy.config.json' with { type: 'json' };
import { connectOrigins } from '../../src/lib/csp.ts';
import { blockedOrigins, parseRegistry, type RegistryEntry } from '../../src/lib/llm/registry.ts';
import registryData from '../../src/lib/models/registry.json' with { type: 'json' };
import { DIST, findChromium, serveSite } from './harness.ts';

export const HELP = `Usage: npm run smoke:model -- --model <id> [options]

Loads a model in a real Chrome/Chromium with hardware WebGPU and labels example reports with the model's prompt
profile: \`release\` for RadReportX (the authors' raw prompts through WebLLM's completions API), \`json\` for a
stock model. Prints each report's latency as it finishes, then a summary.
Needs: a GPU, \`npm run build\` done, and the model files in public/models/ (see public/models/README.md); a
stock model instead needs its origins in deploy.config.json (stockModelOrigins) before the build, and internet.

Options:
  --model <id>        model id from src/lib/models/registry.json (required)
  --chrome <path>     Chrome or Chromium executable (default: $CHROMIUM_PATH, then the usual places)
  --headed            show the browser window (use when headless Chrome gets no GPU adapter)
  --timeout <s>       seconds allowed for the model to load (default 1800: the first load downloads it)
  --help              show this help

Exit codes: 0 done, 1 the check failed, 2 bad usage or missing files.`;

export interface SmokeOptions {
  model: RegistryEntry;
  chrome?: string;
  headed: boolean;
  timeoutSeconds: number;
}

export type SmokeArgs = { ok: true; options: SmokeOptions } | { ok: false; help: true } | { ok: false; help: false; message: string };

export function parseSmokeArgs(argv: readonly string[]): SmokeArgs {
  const registry = parseRegistry(registryData);
  const ids = registry.models.map((m) => m.id).join(', ');
  let modelId: string | undefined;
  let chrome: string | undefined;
  let headed = false;
  let timeoutSeconds = 1800;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value.`);
      return v;
    };
    try {
      if (a === '--help' || a === '-h') return { ok: false, help: true };
      else if (a === '--model') modelId = value();
      else if (a === '--chrome') chrome = value();
      else if (a === '--headed') headed = true;
      else if (a === '--timeout') {
        timeoutSeconds = Number(value());
        if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new Error('--timeout must be a positive number of seconds.');
      } else throw new Error(`Unknown option ${a}.`);
    } catch (e) {
      return { ok: false, help: false, message: (e as Error).message };
    }
  }
  if (!modelId) return { ok: false, help: false, message: `--model is required. Models: ${ids}.` };
  const model = registry.models.find((m) => m.id === modelId);
  if (!model) return { ok: false, help: false, message: `There is no model "${modelId}". Models: ${ids}.` };
  return { ok: true, options: { model, chrome, headed, timeoutSeconds } };
}

/** What must exist before a browser is worth starting; each line says what is missing and how to get it. */
export function missingFiles(model: RegistryEntry, dist = DIST, exists: (p: string) => boolean = existsSync, enabled: readonly string[] = connectOrigins(deploy)): string[] {
  const problems: string[] = [];
  if (!exists(join(dist, 'index.html'))) return [`${join(dist, 'index.html')} is missing: run \`npm run build\` first.`];
  if (model.stock) {
    const blocked = blockedOrigins(model, { origin: 'http://127.0.0.1', base: '/' }, enabled);
    if (blocked.length) problems.push(`${model.id} downloads from ${blocked.join(', ')}: add them to deploy.config.json "stockModelOrigins" (with Hugging Face's file CDN), then \`npm run build\`.`);
    return problems;
  }
  if (/^https?:/.test(model.weights)) return problems;
  const folder = join(dist, model.weights);
  for (const f of ['mlc-chat-config.json', 'tensor-cache.json']) {
    if (!exists(join(folder, f))) {
      problems.push(`${join(folder, f)} is missing: put the model folder under public/${model.weights} (\`radreportx build-model\` does), then \`npm run build\`.`);
    }
  }
  if (!/^https?:/.test(model.library) && !exists(join(dist, model.library))) {
    problems.push(`${join(dist, model.library)} is missing: download the prebuilt WebLLM library (see public/models/README.md) into public/${model.library}, then \`npm run build\`.`);
  }
  return problems;
}

/** Example reports written for this check (no patient data), with the findings a reader would call positive. */
export const SMOKE_REPORTS: { text: string; positive: Finding[] }[] = [
  { text: 'FINDINGS: The heart is normal in size. The lungs are clear. No pleural effusion or pneumothorax.\nIMPRESSION: Normal chest.', positive: [] },
  { text: 'FINDINGS: The cardiac silhouette is enlarged. Moderate right pleural effusion. Mild interstitial edema.\nIMPRESSION: Cardiomegaly, right pleural effusion and mild pulmonary edema.', positive: ['Cardiomegaly', 'Pleural Effusion', 'Edema'] },
  { text: 'FINDINGS: Left chest tube in place. Small left apical pneumothorax. Heart size normal.\nIMPRESSION: Small left pneumothorax with chest tube.', positive: ['Pneumothorax', 'Support Devices'] },
  { text: 'FINDINGS: Right lower lobe airspace consolidation consistent with pneumonia. No effusion.\nIMPRESSION: Right lower lobe pneumonia.', positive: ['Consolidation', 'Pneumonia', 'Lung Opacity'] },
  { text: 'FINDINGS: Healing fracture of the left sixth rib. Lungs clear. Bibasilar atelectasis.\nIMPRESSION: Left rib fracture. Bibasilar atelectasis.', positive: ['Fracture', 'Atelectasis'] },
  { text: 'FINDINGS: A 2 cm nodule in the right upper lobe. No consolidation.\nIMPRESSION: Right upper lobe pulmonary nodule; CT recommended.', positive: ['Lung Lesion'] },
];

/** Chromium switches for hardware WebGPU (Linux needs Vulkan; the others ignore what they do not use). */
export const GPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan,WebGPU', '--ignore-gpu-blocklist', '--no-first-run', '--disable-background-networking'];

async function main(argv: string[]): Promise<number> {
  const parsed = parseSmokeArgs(argv);
  if (!parsed.ok) {
    if (parsed.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    process.stderr.write(`${parsed.message}\n\n${HELP}\n`);
    return 2;
  }
  const { model, headed, timeoutSeconds } = parsed.options;
  const missing = missingFiles(model);
  if (missing.length) {
    process.stderr.write(`Cannot run the model smoke check:\n${missing.map((m) => `  - ${m}`).join('\n')}\n`);
    return 2;
  }
  const server = await serveSite();
  const browser = await chromium.launch({ executablePath: parsed.options.chrome ?? findChromium(), headless: !headed, args: GPU_ARGS });
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.origin}/#model`);
    const gpu = (await page.getByTestId('gpu-name').textContent({ timeout: 60_000 })) ?? '';
    process.stderr.write(`GPU: ${gpu}\n`);
    if (/software|swiftshader|No WebGPU/i.test(gpu)) {
      process.stderr.write('Chrome has no hardware WebGPU adapter here. Try --headed, a newer Chrome, or check chrome://gpu.\n');
      return 1;
    }
    const started = Date.now();
    await page.getByTestId(`load-${model.id}`).click();
    const outcome = await Promise.race([
      page.getByTestId('model-notice').filter({ hasText: 'Loaded in' }).waitFor({ timeout: timeoutSeconds * 1000 }).then(() => 'ok'),
      page.getByTestId('model-problem').waitFor({ timeout: timeoutSeconds * 1000 }).then(() => 'failed'),
    ]);
    if (outcome !== 'ok') {
      process.stderr.write(`Loading failed: ${await page.getByTestId('model-problem').textContent()}\n`);
      return 1;
    }
    const loadSeconds = (Date.now() - started) / 1000;
    process.stderr.write(`Loaded ${model.id} in ${loadSeconds.toFixed(1)} s; prompt profile ${model.promptProfile}\n`);

    let cells = 0;
    let agreeCells = 0;
    let exact = 0;
    let tokens = 0;
    let ms = 0;
    const rows: string[] = [];
    for (const [i, r] of SMOKE_REPORTS.entries()) {
      await page.locator('#compare-text').fill(r.text);
      await page.getByTestId('compare-run').click();
      await page.getByTestId('compare-summary').waitFor();
      await page.waitForFunction(() => !document.querySelector('[data-testid="compare-run"]')?.textContent?.includes('Labeling'), undefined, { timeout: 300_000 });
      const status = await page.getByTestId('compare-summary').getAttribute('data-model-status');
      const usage = page.getByTestId('compare-usage');
      const latency = Number(await usage.getAttribute('data-latency-ms').catch(() => 0));
      const completion = Number(await usage.getAttribute('data-completion-tokens').catch(() => 0));
      const statuses = Object.fromEntries(
        await Promise.all(FINDINGS.map(async (f) => [f, await page.locator(`tr[data-finding="${f}"]`).getAttribute('data-model')] as const)),
      );
      const got = FINDINGS.filter((f) => statuses[f] === 'positive');
      const agree = FINDINGS.filter((f) => got.includes(f) === r.positive.includes(f)).length;
      cells += FINDINGS.length;
      agreeCells += agree;
      if (agree === FINDINGS.length) exact++;
      tokens += completion;
      ms += latency;
      rows.push(`${i + 1}\t${status}\t${latency}\t${completion}\t${got.join(', ') || '(none)'}\t${r.positive.join(', ') || '(none)'}`);
      process.stderr.write(`report ${i + 1}/${SMOKE_REPORTS.length}: ${status}, ${latency} ms, ${completion} answer tokens (${model.promptProfile})\n`);
    }
    process.stdout.write(`report\tstatus\tlatency_ms\tanswer_tokens\tmodel_positive\texpected_positive\n${rows.join('\n')}\n`);
    process.stdout.write(
      `model=${model.id} profile=${model.promptProfile} load_s=${loadSeconds.toFixed(1)} reports=${SMOKE_REPORTS.length} mean_latency_ms=${Math.round(ms / SMOKE_REPORTS.length)} ` +
        `tokens_per_s=${ms ? ((tokens * 1000) / ms).toFixed(1) : 'n/a'} finding_agreement=${(agreeCells / cells).toFixed(3)} exact_reports=${exact}/${SMOKE_REPORTS.length}\n`,
    );
    return 0;
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
