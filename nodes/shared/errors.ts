import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * n8n rewrites an error message that contains a network code (ECONNREFUSED, ECONNRESET, …) into a
 * generic sentence ("The service refused the connection - perhaps it is offline"), which loses the
 * item, the status and the server's words. Our messages already say what happened, so the message is
 * put back after n8n's constructor; n8n's sentence stays among the error's `messages`.
 */
function keepMessage(error: NodeOperationError, message: string): NodeOperationError {
	if (error.message !== message) {
		error.messages = [...new Set([...(error.messages ?? []), error.message])].filter((text) => text !== message);
		error.message = message;
	}
	return error;
}

/** An item's error, naming it: `Item 3: <cause>`. */
export function itemError(ctx: IExecuteFunctions, index: number, message: string): NodeOperationError {
	const text = `Item ${index}: ${message}`;
	return keepMessage(new NodeOperationError(ctx.getNode(), text, { itemIndex: index }), text);
}

/** An error of the whole node run (a node-wide setting, a cancelled execution): it names no item. */
export function nodeError(ctx: IExecuteFunctions, message: string): NodeOperationError {
	return keepMessage(new NodeOperationError(ctx.getNode(), message), message);
}

/**
 * A node-wide setting that cannot be used fails the run before any request, naming no item. With
 * Continue On Fail every item comes out carrying that error (n8n would pass them through untouched,
 * as if they had succeeded).
 */
export function failEveryItem(ctx: IExecuteFunctions, items: INodeExecutionData[], message: string): INodeExecutionData[][] {
	if (!ctx.continueOnFail()) throw nodeError(ctx, message);
	return [items.map((item, index) => ({ json: { ...item.json, error: message }, pairedItem: { item: index } }))];
}
