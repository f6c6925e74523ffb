/**
 * The model registry this build ships (registry.json beside this file), validated once: a bad entry fails loudly
 * on first use, not halfway through a load. The page lists its models and the worker resolves them from it.
 */
import { parseRegistry, type Registry } from '../llm/registry.ts';
import data from './registry.json' with { type: 'json' };

let registry: Registry | undefined;

export function shippedRegistry(): Registry {
  registry ??= parseRegistry(data);
  return registry;
}
