/**
 * Keeps secrets out of anything printed or stored: error texts from the SDK or a server can echo headers or
 * URLs, so every message bound for stderr or the JSONL passes through `redact` first.
 */

// Shapes of keys worth hiding even when they are not the one in use (a key pasted into a base URL, say).
const KEY_PATTERNS = [/\bsk-[A-Za-z0-9_-]{6,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]{6,}/gi, /([?&](?:api[-_]?key|key|token)=)[^&\s]+/gi];

/** Secret values to hide: the keys the process could send. */
export function secretsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return ['OPENAI_API_KEY', 'AZURE_OPENAI_API_KEY'].map((k) => env[k] ?? '').filter((v) => v.length >= 4);
}

export function redact(text: string, secrets: readonly string[] = secretsFromEnv()): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  for (const p of KEY_PATTERNS) out = out.replace(p, (m, prefix?: string) => (typeof prefix === 'string' && m.startsWith(prefix) ? `${prefix}[redacted]` : '[redacted]'));
  return out;
}
