import type { INodeProperties } from 'n8n-workflow';

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
