/**
 * The platforms that speak OpenAI's fine-tuning API (`/files`, `/fine_tuning/jobs`) through the
 * OpenAI-Compatible API credential, and where each one differs from OpenAI's own. The adapter
 * (openaiCompatible.ts) reads a platform's profile: which operations and methods it has, how its
 * base URL must look, how its key is sent. What a platform lacks is refused with an error naming
 * the platform, before anything is sent.
 *
 * Azure OpenAI, v1 API: https://learn.microsoft.com/en-us/azure/foundry/reference/rest/fine-tuning-create-fine-tuning-job
 * and its OpenAPI document (Azure/azure-rest-api-specs, specification/ai/data-plane/OpenAI.v1/azure-v1-v1-generated.yaml):
 * `{endpoint}/openai/v1/fine_tuning/jobs` (create, list, get, cancel, pause, resume, events,
 * checkpoints), `/openai/v1/files` (purpose `fine-tune`), the `api-version` query optional (`v1`
 * when left out, so none is sent), the key in an `api-key` header or a Microsoft Entra ID token as
 * `Authorization: Bearer` (the document's ApiKeyAuth and OAuth2Auth schemes). Statuses and job
 * objects are OpenAI's. Supervised, DPO and reinforcement (`AzureFineTuneReinforcementMethod`:
 * string_check, text_similarity, score_model and multi graders; no python grader). Azure's own
 * field is the training tier, `trainingType` beside the OpenAI fields (Standard, GlobalStandard,
 * developerTier), from the fine-tuning how-to
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/fine-tuning); the v1 OpenAPI
 * document itself does not list it. That document also marks the Files upload's `expires_after` as
 * required (AzureCreateFileRequestMultiPart); it is not sent here, as OpenAI's upload does not need
 * it and a training file should not expire. Both are unverified against a live Azure resource.
 *
 * Amazon Bedrock: https://docs.aws.amazon.com/bedrock/latest/userguide/rft-open-weight-access-security.html
 * (OpenAI-compatible fine-tuning APIs: base URL `https://bedrock-mantle.<region>.api.aws/v1`, the
 * Bedrock API key as the OpenAI key, training files JSONL with purpose `fine-tune`) and
 * https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-use.html (a Bedrock API key is
 * sent as `Authorization: Bearer`, never another header). Bedrock documents reinforcement
 * fine-tuning of open-weight models with a reward function (Lambda) through this API and standard
 * fine-tuning beside it; it documents no DPO, no pause / resume and no grader validation route.
 * The shape of its reward-function grader was not readable here: the adapter sends the grader JSON
 * it is given, which the node checks as an OpenAI grader.
 */
import { displayBaseUrl, type AuthHeader } from '../../transport/connection';
import type { Operation, TrainingMethod } from './types';

export type FineTunePlatform = 'openai' | 'azure' | 'bedrock' | 'other';

/** Azure OpenAI's training tiers, as its API takes them in `trainingType`. */
export const AZURE_TRAINING_TIERS = ['Standard', 'GlobalStandard', 'developerTier'] as const;
export type AzureTrainingTier = (typeof AZURE_TRAINING_TIERS)[number];

export interface PlatformProfile {
	platform: FineTunePlatform;
	/** The name errors use. */
	name: string;
	operations: readonly Operation[];
	methods: readonly TrainingMethod[];
	/** Whether `/fine_tuning/alpha/graders/validate` exists there. */
	validatesGraders: boolean;
	/** Whether a job takes a training tier (`trainingType`). */
	trainingTiers: boolean;
}

const ALL_OPERATIONS: Operation[] = ['upload', 'create', 'get', 'list', 'cancel', 'pause', 'resume', 'events', 'checkpoints'];

export const PLATFORMS: Record<FineTunePlatform, PlatformProfile> = {
	openai: { platform: 'openai', name: 'OpenAI', operations: ALL_OPERATIONS, methods: ['supervised', 'dpo', 'reinforcement'], validatesGraders: true, trainingTiers: false },
	azure: { platform: 'azure', name: 'Azure OpenAI', operations: ALL_OPERATIONS, methods: ['supervised', 'dpo', 'reinforcement'], validatesGraders: true, trainingTiers: true },
	bedrock: {
		platform: 'bedrock',
		name: 'Amazon Bedrock',
		operations: ['upload', 'create', 'get', 'list', 'cancel', 'events', 'checkpoints'],
		methods: ['supervised', 'reinforcement'],
		validatesGraders: false,
		trainingTiers: false,
	},
	// A proxy or another server (LiteLLM, a gateway): OpenAI's shapes, the server says what it lacks.
	other: { platform: 'other', name: 'OpenAI-compatible', operations: ALL_OPERATIONS, methods: ['supervised', 'dpo', 'reinforcement'], validatesGraders: true, trainingTiers: false },
};

const AZURE_HOST = /(^|\.)(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i;
const BEDROCK_HOST = /^bedrock-mantle\.[a-z0-9-]+\.api\.aws$/i;

function hostOf(baseUrl: string): string | undefined {
	try {
		return new URL(baseUrl.trim()).hostname;
	} catch {
		return undefined;
	}
}

/** The platform a base URL belongs to, from its host; 'other' when the host says nothing. */
export function detectPlatform(baseUrl: string | undefined): FineTunePlatform {
	// No base URL is OpenAI's (the credential's default).
	if (!(baseUrl ?? '').trim()) return 'openai';
	const host = hostOf(baseUrl ?? '') ?? '';
	if (host === 'api.openai.com') return 'openai';
	if (AZURE_HOST.test(host)) return 'azure';
	if (BEDROCK_HOST.test(host)) return 'bedrock';
	return 'other';
}

/** The credential's Fine-Tuning Platform setting: a platform, or 'auto' (from the base URL). */
export function resolvePlatform(setting: unknown, baseUrl: string | undefined): FineTunePlatform {
	return setting === 'openai' || setting === 'azure' || setting === 'bedrock' || setting === 'other' ? setting : detectPlatform(baseUrl);
}

/**
 * What is wrong with the credential for this platform (its base URL's shape, how the key is sent),
 * in words that say what to set; undefined when nothing is.
 */
export function connectionProblem(platform: FineTunePlatform, connection: { baseUrl?: string; authHeader?: AuthHeader }): string | undefined {
	const shown = displayBaseUrl(connection.baseUrl);
	let path = '';
	try {
		path = new URL(shown).pathname.replace(/\/+$/, '');
	} catch {
		return undefined;
	}
	if (platform === 'azure') {
		// The v1 API lives under /openai/v1; the older /openai/deployments/… and ?api-version= URLs are another API.
		if (!/\/openai\/v1$/.test(path)) {
			const origin = new URL(shown).origin;
			return `Azure OpenAI's fine-tuning API (v1) is at ${origin}/openai/v1: set the credential's Base URL to that (it is ${shown})`;
		}
	}
	if (platform === 'bedrock') {
		if (connection.authHeader === 'apiKey') {
			return 'Amazon Bedrock takes its API key as "Authorization: Bearer": set the credential\'s Send Key As to Authorization: Bearer';
		}
		if (path !== '/v1') return `Amazon Bedrock's OpenAI-compatible fine-tuning API is at https://bedrock-mantle.<region>.api.aws/v1: set the credential's Base URL to that (it is ${shown})`;
	}
	return undefined;
}
