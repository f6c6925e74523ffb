/** The DOM-free half of the in-browser LLM: registry, capability decision, file layout, progress, engine adapter. */
export { parseRegistry, findModel, resolveModel, siteRoot, appConfig, modelRecord } from './registry.ts';
export type { Registry, RegistryEntry, ResolvedModel, SiteLocation, WeightSource, WebLlmAppConfig, WebLlmModelRecord } from './registry.ts';
export { evaluateCapability, describeGpu, WEBLLM_MINIMUM } from './capability.ts';
export type { AdapterDescription, CapabilityReport, Check, GpuDescription, ModelVerdict } from './capability.ts';
export { CACHE_NAMES, CHAT_CONFIG, TENSOR_CACHE, checkFolder, describeProblems, libraryFileName, modelFiles, modelRoot, readChatConfig, readTensorCache, shardBytes, tokenizerFile } from './files.ts';
export type { ChatConfigFile, FolderProblem, ModelFile, TensorCacheFile } from './files.ts';
export { eta, formatBytes, formatDuration, formatLoadProgress, fromWebLlm } from './progress.ts';
export type { LoadPhase, LoadProgress, WebLlmProgress } from './progress.ts';
export { chatRequest, createLlmEngine, tokensPerSecond, DEFAULT_SEED } from './engine.ts';
export type { ChatLike, ChatRequest, ChatResponse, LlmEngineOptions } from './engine.ts';
export { isAbort, mapWebLlmError, webLlmErrorName } from './webllm-errors.ts';
export { compareResults, compareTables } from './compare.ts';
export type { Comparison, FindingComparison, TableComparison, TableLike } from './compare.ts';
export type { ImportFile, ImportReport, LoadedModel, LoadProgressCallback, ModelApi, ModelCacheStatus } from './protocol.ts';
