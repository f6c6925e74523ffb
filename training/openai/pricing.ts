/**
 * Rough cost estimates for the progress line and the summary. List prices in US dollars per million tokens as
 * OpenAI published them in 2025 (standard tier); they change, so `--price-in/--price-out` override them, and a
 * model not listed (a self-hosted vLLM model) shows tokens only. The Batch API is billed at half price.
 */

export interface Price {
  /** Dollars per million prompt tokens. */
  input: number;
  /** Dollars per million generated tokens. */
  output: number;
}

export const PRICES: Record<string, Price> = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
};

export const BATCH_DISCOUNT = 0.5;

/**
 * The price of `model`: overrides first, then the longest table entry the name starts with (so dated snapshots
 * like `gpt-4o-2024-08-06` find `gpt-4o`, and `gpt-4o-mini` is not priced as `gpt-4o`). Undefined when unknown.
 */
export function priceFor(model: string, override: Partial<Price> = {}): Price | undefined {
  const name = model.toLowerCase();
  const key = Object.keys(PRICES)
    .filter((k) => name === k || name.startsWith(`${k}-`))
    .sort((a, b) => b.length - a.length)[0];
  const base = key ? PRICES[key] : undefined;
  if (override.input === undefined && override.output === undefined) return base;
  return { input: override.input ?? base?.input ?? 0, output: override.output ?? base?.output ?? 0 };
}

export function costOf(price: Price | undefined, promptTokens: number, completionTokens: number, batch = false): number | undefined {
  if (!price) return undefined;
  const dollars = (promptTokens * price.input + completionTokens * price.output) / 1e6;
  return batch ? dollars * BATCH_DISCOUNT : dollars;
}

export function formatCost(dollars: number | undefined): string {
  if (dollars === undefined) return 'cost unknown (set --price-in/--price-out)';
  return `~$${dollars < 10 ? dollars.toFixed(2) : Math.round(dollars).toLocaleString('en-US')}`;
}
