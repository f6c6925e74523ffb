/**
 * The shipped registry and mirrors with the site's own location: everything the worker needs to turn a model id
 * into absolute URLs.
 */
import deploy from '../../../deploy.config.json' with { type: 'json' };
import { connectOrigins, mirrorOrigins } from '../../lib/csp.ts';
import { findModel, resolveModel, type ResolvedModel, type SiteLocation, type WeightSource } from '../../lib/llm/registry.ts';
import { shippedRegistry } from '../../lib/models/shipped.ts';

function mirrors(): string[] {
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
  return resolveModel(findModel(shippedRegistry(), modelId), site(), source, mirrors(), forDownload ? enabledOrigins() : undefined);
}
