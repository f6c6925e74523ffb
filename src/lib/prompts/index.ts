/**
 * The one prompt module shared by the browser LLM engines, weak-label generation and training-set building.
 * Engine adapters for the `release` profile: read the BOS note at the top of profiles.ts (`promptText`).
 */
export { buildRequests, drawSeedExamples, promptText, releasePrompt, weakLabelPrompt, PROMPT_VERSION } from './profiles.ts';
export type { ChatPromptRequest, CompletionPromptRequest, PromptProfileId, PromptRequest } from './profiles.ts';
export { responseSchema, schemaName } from './schema.ts';
export { parseAnswers } from './parse.ts';
