import type { ICredentialDataDecryptedObject, IExecuteFunctions, INodeExecutionData, NodeOperationError } from 'n8n-workflow';
import type { ConnectionConfig } from '../../core/transport/connection';
import { ItemFailedError } from '../../core/transport/scheduler';
import { CancelledError } from '../../core/transport/sleep';
import { CREDENTIAL_NAME, connectionOf, defaultModelOf, endpointOf, secretsOf } from './connection';
import { failEveryItem, itemError, nodeError } from './errors';
import { describeFailure, type Endpoint } from './failures';
import { readRunSettings, type RunSettings } from './transportOptions';

/** A prelude's value, or the node's output when a node-wide setting failed every item (Continue On Fail). */
export type Prelude<T> = { ok: true; value: T } | { ok: false; output: INodeExecutionData[][] };

/** What a node that calls the endpoint knows before its first request. */
export interface NodeRun {
	connection: ConnectionConfig;
	/** The credential's Default Model, for a model left empty. */
	defaultModel: string;
	/** Values that never leave in an output or an error. */
	secrets: string[];
	/** The base URL and credential a connection error names. */
	endpoint: Endpoint;
	settings: RunSettings;
}

/** The node's transport Options; options that cannot be used are a node-wide error, naming no item. */
export function runSettingsOf(ctx: IExecuteFunctions, items: INodeExecutionData[], secrets: string[] = [], endpoint?: Endpoint): Prelude<RunSettings> {
	try {
		return { ok: true, value: readRunSettings(ctx) };
	} catch (error) {
		return { ok: false, output: failEveryItem(ctx, items, describeFailure(error, 0, secrets, endpoint)) };
	}
}

/** The execute prelude of a node whose credential is required: connection, default model, secrets, endpoint, settings. */
export async function openRun(ctx: IExecuteFunctions, items: INodeExecutionData[]): Promise<Prelude<NodeRun>> {
	const connection = await connectionOf(ctx);
	const defaultModel = defaultModelOf(await ctx.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_NAME));
	const secrets = secretsOf(connection);
	const endpoint = endpointOf(ctx.getNode(), connection);
	const settings = runSettingsOf(ctx, items, secrets, endpoint);
	if (!settings.ok) return settings;
	return { ok: true, value: { connection, defaultModel, secrets, endpoint, settings: settings.value } };
}

/**
 * The n8n error for what stopped a scheduled run (core/transport/scheduler.ts): an item that failed
 * without Continue On Fail names the item (`itemOf` maps the scheduler's position to the item), a
 * cancelled execution says so, and anything else is an error of the whole run.
 */
export function runError(
	ctx: IExecuteFunctions,
	error: unknown,
	describe: (cause: unknown, attempts: number) => string,
	itemOf: (position: number, cause: unknown) => number = (position) => position,
): NodeOperationError {
	if (error instanceof ItemFailedError) return itemError(ctx, itemOf(error.index, error.cause), describe(error.cause, error.attempts));
	if (error instanceof CancelledError) return nodeError(ctx, error.message);
	return nodeError(ctx, describe(error, 0));
}
