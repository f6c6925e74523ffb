/** Joins the CPU engine to the labeling worker: registers the `wllama` engine and provides the GGUF API methods. */
import { registerEngine } from './engines.ts';
import { WLLAMA_ENGINE_ID, WLLAMA_INFO, createGgufService, wllamaEngine } from '../platform/wllama/service.ts';

registerEngine({ id: WLLAMA_ENGINE_ID, info: WLLAMA_INFO, load: async () => wllamaEngine });

export { createGgufService };
