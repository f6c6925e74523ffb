/** The one prompt module shared by the browser LLM engine, weak-label generation and training-set building. */
export {
  buildRequests,
  drawSeedExamples,
  isPromptProfile,
  profileTasks,
  promptText,
  releasePrompt,
  requestMessages,
  requestText,
  weakLabelPrompt,
  LLAMA3_BOS,
  LLAMA3_STOP,
  MODEL_PROFILES,
  PROMPT_PROFILES,
  PROMPT_VERSION,
  RELEASE_MAX_TOKENS,
} from './profiles.ts';
export type { BuildOptions, ChatMessage, ChatPromptRequest, CompletionPromptRequest, PromptProfileId, PromptRequest } from './profiles.ts';
export { responseSchema, schemaName, ANSWER_STATUSES } from './schema.ts';
export { parseAnswers } from './parse.ts';
export type { ParseOptions } from './parse.ts';
export { cleanAnswer, parseReleaseFindings, parseReleaseIcd10 } from './release-parse.ts';
export type { ReleaseFindingsAnswer, ReleaseIcd10Answer, ReleasePhrase } from './release-parse.ts';
export { lookupPhraseCode } from './lookup.ts';
export { formatAnswers } from './target.ts';
export { RELEASE_SOURCE } from './release-data.ts';
