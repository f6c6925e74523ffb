/** The one prompt module shared by the browser LLM engine, weak-label generation and training-set building. */
export { buildRequests, drawSeedExamples, promptText, releasePrompt, weakLabelPrompt, PROMPT_VERSION } from './profiles.ts';
export type { ChatPromptRequest, CompletionPromptRequest, PromptProfileId, PromptRequest } from './profiles.ts';
export { responseSchema, schemaName } from './schema.ts';
export { parseAnswers } from './parse.ts';
