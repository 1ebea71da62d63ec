import type { INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** What an error needs of n8n's context: the node (execute, load options and credential tests alike). */
interface NodeContext {
	getNode(): INode;
}

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

/**
 * `Item 3: <cause>`, with one item marker only: a cause that already names an item (`Item 3: …`, or
 * n8n's own ` [item 3]` at the end of an expression's error) is not named twice.
 */
export function itemText(index: number, message: string): string {
	const bare = message.replace(/^Item \d+: /, '').replace(/\s*\[item \d+\]\s*$/, '');
	return `Item ${index}: ${bare}`;
}

/**
 * An item's error, naming it: `Item 3: <cause>`. Without n8n's `itemIndex`: the editor adds
 * ` [item 3]` to the headline of an error that has one unless the message contains `item 3` (lower
 * case), which gave `Item 3: … [item 3]`.
 */
export function itemError(ctx: NodeContext, index: number, message: string): NodeOperationError {
	const text = itemText(index, message);
	return keepMessage(new NodeOperationError(ctx.getNode(), text), text);
}

/** An error of the whole node run (a node-wide setting, a credential, a cancelled execution): it names no item. */
export function nodeError(ctx: NodeContext, message: string): NodeOperationError {
	const text = message.replace(/^Item \d+: /, '').replace(/\s*\[item \d+\]\s*$/, '');
	return keepMessage(new NodeOperationError(ctx.getNode(), text), text);
}

/**
 * A node-wide setting that cannot be used fails the run before any request, naming no item. With
 * Continue On Fail every item comes out carrying that error (n8n would pass them through untouched,
 * as if they had succeeded).
 */
export function failEveryItem(ctx: NodeContext & { continueOnFail(): boolean }, items: INodeExecutionData[], message: string): INodeExecutionData[][] {
	if (!ctx.continueOnFail()) throw nodeError(ctx, message);
	return [items.map((item, index) => ({ json: { ...item.json, error: message }, pairedItem: { item: index } }))];
}
