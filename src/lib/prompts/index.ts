/** The one prompt module shared by the browser LLM engine, weak-label generation and training-set building. */
export { buildRequests, isPromptProfile, PROMPT_PROFILES, PROMPT_VERSION } from './profiles.ts';
export type { ChatMessage, PromptProfileId, PromptRequest } from './profiles.ts';
export { responseSchema, schemaName, ANSWER_STATUSES } from './schema.ts';
export { parseAnswers } from './parse.ts';
export type { ParseOptions } from './parse.ts';
export { formatAnswers } from './target.ts';
