import { NotSentError, RefusalGate } from '../../../core/loop/refusals';
import { ModelRequestError } from '../../../core/transport/scheduler';

const flush = async (rounds = 5) => {
	for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
};
const refused = (status: number, message = `${status} refused`) => new ModelRequestError(Object.assign(new Error(message), { status }), 1);
const body = (prompt: string, options: Record<string, unknown> = {}) => ({ model: 'm', messages: [{ role: 'user', content: prompt }], ...options });
const signal = () => new AbortController().signal;

describe('RefusalGate', () => {
	it('sends the first request alone, and the others once it is answered', async () => {
		const gate = new RefusalGate();
		let answer!: () => void;
		const first = jest.fn(() => new Promise<string>((resolve) => (answer = () => resolve('ok'))));
		const second = jest.fn(async () => 'ok');
		const sent = [gate.send(0, body('a'), signal(), first), gate.send(1, body('b'), signal(), second)];
		await flush();
		expect(first).toHaveBeenCalledTimes(1);
		expect(second).not.toHaveBeenCalled();
		answer();
		await expect(Promise.all(sent)).resolves.toEqual(['ok', 'ok']);
		expect(second).toHaveBeenCalledTimes(1);
	});

	it('a 401 is the credential\'s: nothing more is sent, every item fails with the server\'s words and why', async () => {
		const gate = new RefusalGate();
		const work = jest.fn(async () => {
			throw refused(401, '401 Incorrect API key provided');
		});
		const results = await Promise.allSettled([0, 1, 2].map((item) => gate.send(item, body(`p${item}`), signal(), work)));
		expect(work).toHaveBeenCalledTimes(1);
		const [first, ...others] = results as PromiseRejectedResult[];
		expect(first.reason).toBeInstanceOf(ModelRequestError);
		for (const other of others) {
			expect(other.reason).toBeInstanceOf(NotSentError);
			expect(other.reason.status).toBe(401);
			expect(other.reason.message).toBe("401 Incorrect API key provided (not sent: the server refused this credential for item 0's request)");
		}
	});

	it('a 422 for options: the identical request is never sent again; other prompts after a second refusal are not sent either', async () => {
		const gate = new RefusalGate();
		const work = jest.fn(async () => {
			throw refused(422, '422 temperature too high');
		});
		const hot = { temperature: 3 };
		await expect(gate.send(0, body('a', hot), signal(), work)).rejects.toBeInstanceOf(ModelRequestError);
		await expect(gate.send(0, body('a', hot), signal(), work)).rejects.toThrow('(not sent: this item sent the identical request, which got this answer)');
		expect(work).toHaveBeenCalledTimes(1);
		await expect(gate.send(1, body('b', hot), signal(), work)).rejects.toBeInstanceOf(ModelRequestError);
		await expect(gate.send(2, body('c', hot), signal(), work)).rejects.toThrow('(not sent: items 0 and 1 got this answer with the same options and other prompts)');
		expect(work).toHaveBeenCalledTimes(2);
		// Other options are still sent.
		await expect(gate.send(3, body('d'), signal(), async () => 'ok')).resolves.toBe('ok');
	});

	it('options that were answered once are never refused for another prompt\'s 400 (a prompt too long)', async () => {
		const gate = new RefusalGate();
		await gate.send(0, body('short'), signal(), async () => 'ok');
		const tooLong = async () => {
			throw refused(400, '400 maximum context length');
		};
		await expect(gate.send(1, body('long one'), signal(), tooLong)).rejects.toBeInstanceOf(ModelRequestError);
		await expect(gate.send(2, body('long two'), signal(), tooLong)).rejects.toBeInstanceOf(ModelRequestError);
		await expect(gate.send(3, body('short too'), signal(), async () => 'ok')).resolves.toBe('ok');
	});

	it('a refusal aborts the identical requests waiting in the lane, which end as not sent', async () => {
		const gate = new RefusalGate();
		await gate.send(9, body('warm-up'), signal(), async () => 'ok');
		let refuse!: () => void;
		const first = gate.send(0, body('a'), signal(), () => new Promise((_, reject) => (refuse = () => reject(refused(422)))));
		let queuedSignal: AbortSignal | undefined;
		const queued = gate.send(0, body('a'), signal(), (inner) => {
			queuedSignal = inner;
			return new Promise((_, reject) => inner.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
		});
		await flush();
		refuse();
		await expect(first).rejects.toBeInstanceOf(ModelRequestError);
		await expect(queued).rejects.toBeInstanceOf(NotSentError);
		expect(queuedSignal?.aborted).toBe(true);
	});

	it('other failures (a 503, a reset) open the gate and are remembered nowhere', async () => {
		const gate = new RefusalGate();
		const work = jest.fn(async () => {
			throw refused(503);
		});
		await expect(gate.send(0, body('a'), signal(), work)).rejects.toBeInstanceOf(ModelRequestError);
		await expect(gate.send(0, body('a'), signal(), work)).rejects.toBeInstanceOf(ModelRequestError);
		expect(work).toHaveBeenCalledTimes(2);
	});
});
