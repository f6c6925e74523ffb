/**
 * The one prompt module shared by the browser LLM engines, weak-label generation and training-set building.
 * Engine adapters for the `release` profile: read the BOS note at the top of profiles.ts (`promptText`).
 */
export { buildRequests, drawSeedExamples, isPromptProfile, promptText, releasePrompt, weakLabelPrompt, PROMPT_PROFILES, PROMPT_VERSION } from './profiles.ts';
export type { ChatMessage, ChatPromptRequest, CompletionPromptRequest, PromptProfileId, PromptRequest } from './profiles.ts';
export { responseSchema, schemaName, ANSWER_STATUSES } from './schema.ts';
export { parseAnswers } from './parse.ts';
export type { ParseOptions } from './parse.ts';
