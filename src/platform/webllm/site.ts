/**
 * The registry and mirrors this build ships, with the site's own location: everything needed to turn a model id
 * into absolute URLs, in the page and in the worker alike.
 */
import deploy from '../../../deploy.config.json' with { type: 'json' };
import { connectOrigins, mirrorOrigins } from '../../lib/csp.ts';
import data from '../../lib/models/registry.json' with { type: 'json' };
import { findModel, parseRegistry, resolveModel, type Registry, type ResolvedModel, type SiteLocation, type WeightSource } from '../../lib/llm/registry.ts';

let registry: Registry | undefined;

/** The validated registry (validated once: a bad entry fails loudly on first use, not halfway through a load). */
export function modelRegistry(): Registry {
  registry ??= parseRegistry(data);
  return registry;
}

export function mirrors(): string[] {
  return mirrorOrigins(deploy);
}

export function site(): SiteLocation {
  return { origin: globalThis.location.origin, base: import.meta.env.BASE_URL };
}

/** Origins besides the site that this build's CSP lets the page and workers reach (mirrors, stock model origins). */
export function enabledOrigins(): string[] {
  return connectOrigins(deploy);
}

/** Absolute URLs for a model; `forDownload` refuses one whose origins deploy.config.json does not enable. */
export function resolve(modelId: string, source: WeightSource = 'site', forDownload = false): ResolvedModel {
  return resolveModel(findModel(modelRegistry(), modelId), site(), source, mirrors(), forDownload ? enabledOrigins() : undefined);
}
