/**
 * The Content-Security-Policy the page runs under, read from the tag the build injected (none in the dev server),
 * and what it means for model downloads: a stock model can be fetched only from origins its connect-src allows.
 */
import { connectSources } from '../../lib/csp.ts';
import { blockedOrigins, modelOrigins, type RegistryEntry, type SiteLocation } from '../../lib/llm/registry.ts';

export function pagePolicy(): string | undefined {
  return document.querySelector<HTMLMetaElement>('meta[http-equiv="Content-Security-Policy"]')?.content;
}

const site = (): SiteLocation => ({ origin: location.origin, base: import.meta.env.BASE_URL });

/** Hosts a model's files come from besides this site, and those this page's policy does not allow. */
export function downloadOrigins(entry: RegistryEntry): { origins: string[]; blocked: string[] } {
  return { origins: modelOrigins(entry, site()), blocked: blockedOrigins(entry, site(), connectSources(pagePolicy())) };
}
