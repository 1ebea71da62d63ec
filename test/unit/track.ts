/** Settles a promise into an inspectable state without awaiting it. */
export function track<T>(promise: Promise<T>) {
	const state: { status: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { status: 'pending' };
	promise.then(
		() => {
			state.status = 'resolved';
		},
		(error: unknown) => {
			state.status = 'rejected';
			state.error = error;
		},
	);
	return state;
}
