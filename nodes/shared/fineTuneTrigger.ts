import type { INodeProperties } from 'n8n-workflow';

/**
 * Fine-Tune's description, which the polling trigger carries too. n8n's node panel merges a node
 * "<name>Trigger" into the node "<name>" (one entry, the trigger among its actions) and shows the
 * trigger's description for the pair (editor-ui useActionsGenerator: "default to trigger
 * description"), so with a description of its own the trigger would describe the Fine-Tune entry.
 * What the trigger itself does is said in its first field.
 */
export const FINE_TUNE_DESCRIPTION =
	'Training files from items, validated; fine-tuning jobs on OpenAI-compatible APIs, Together AI or Fireworks AI, and a trigger when one finishes; exports for self-hosted trainers';

/** Which final statuses fire the Fine-Tune triggers (polling and webhook alike). */
export const STATUSES_PROPERTY: INodeProperties = {
	displayName: 'Statuses',
	name: 'statuses',
	type: 'multiOptions',
	options: [
		{ name: 'Cancelled', value: 'cancelled' },
		{ name: 'Failed', value: 'failed' },
		{ name: 'Succeeded', value: 'succeeded' },
	],
	default: ['succeeded', 'failed', 'cancelled'],
};
