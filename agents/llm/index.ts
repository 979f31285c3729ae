/**
 * agents/llm: language models through langchain. Agents depend on the LanguageModel interface
 * (model.ts); bin/ builds one with createLanguageModel or the --llm options (bin/llm-options.ts).
 */
export type { ChatMessage, ChatOptions, StructuredOptions, ScoreMethod, OptionScores, UsageCounters, LanguageModel } from './model.js';
export { createLanguageModel, fromLangchain, parseProviderSpec, noModelHelp, providers, type CreateLanguageModelOptions, type Provider, type ProviderSpec } from './factory.js';
export { ChatLanguageModel, type ChatLanguageModelOptions, type ScoringMode } from './language-model.js';
export { loadLlmConfig, llmConfigSchema, type LlmConfig } from './config.js';
export { StructuredOutputError, ProviderError, LogprobsUnsupportedError, isModelOutage, type StructuredAttempt } from './errors.js';
export { ProviderCircuit, describeFailure } from './circuit.js';
export { ResponseCache, requestKey } from './cache.js';
export { TranscriptRecorder, ReplayBackend } from './transcript.js';
export { loadPrompt, parsePrompt, renderPrompt, renderMessages, promptsDir, promptDirs, type PromptTemplate, type PromptVariables } from './prompts.js';
export { extractJson } from './json.js';
export type { Backend, BackendCallOptions, ChatResult, LogprobResult } from './backend.js';
