/** Joins the LLM to the labeling worker: registers the `webllm` engine and provides the model API methods. */
import { registerEngine } from './engines.ts';
import { WEBLLM_ENGINE_ID, WEBLLM_INFO, createModelService, loadedWebLlmEngine } from '../platform/webllm/model-service.ts';

registerEngine({ id: WEBLLM_ENGINE_ID, info: WEBLLM_INFO, load: loadedWebLlmEngine });

export { createModelService };
