/** A parameter that cannot be used; the message names the field. */
export class ParameterError extends Error {
	constructor(
		readonly field: string,
		problem: string,
	) {
		super(`${field}: ${problem}`);
		this.name = 'ParameterError';
	}
}
