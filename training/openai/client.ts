/**
 * Builds the SDK client for the configured endpoint: OpenAI, any OpenAI-compatible server (vLLM), or Azure
 * OpenAI. The SDK's own retries are off so that retry.ts is the only retry loop (and testable).
 */
import OpenAI, { AzureOpenAI } from 'openai';
import { UsageError } from '../../src/lib/errors.ts';
import { isLoopbackHost, hostOf } from './guard.ts';
import type { OpenAiConfig } from './options.ts';

// A local vLLM started without --api-key accepts any key, but the SDK insists on one.
const LOCAL_PLACEHOLDER_KEY = 'no-key-needed-for-local-server';

export function createClient(config: OpenAiConfig, env: NodeJS.ProcessEnv = process.env): OpenAI {
  const common = { maxRetries: 0, timeout: config.timeoutMs };
  const local = isLoopbackHost(hostOf(config.baseURL));
  if (config.azure) {
    const apiKey = env.AZURE_OPENAI_API_KEY;
    if (!apiKey) throw new UsageError('Azure OpenAI needs a key in AZURE_OPENAI_API_KEY.');
    return new AzureOpenAI({
      ...common,
      apiKey,
      // The resource URL given as baseURL, not `endpoint`: the SDK would otherwise also read OPENAI_BASE_URL and
      // refuse the pair.
      baseURL: `${config.azure.endpoint.replace(/\/+$/, '')}/openai`,
      deployment: config.azure.deployment,
      apiVersion: config.azure.apiVersion,
    });
  }
  const apiKey = env.OPENAI_API_KEY || (local ? LOCAL_PLACEHOLDER_KEY : undefined);
  if (!apiKey) throw new UsageError(`No API key: set OPENAI_API_KEY for ${hostOf(config.baseURL)}.`, 'Keys are read only from the environment, never from options.');
  return new OpenAI({ ...common, apiKey, baseURL: config.baseURL });
}
