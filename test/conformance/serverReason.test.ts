/**
 * Prism's own 422s (application/problem+json: title, detail and its `validation` list) read as the
 * server's reason through the package's one HTTP path, for a fine-tuning job and a chat request.
 * The requests are sent raw, past the nodes' own checks, so that Prism is the one to refuse them.
 */
import { createHttpClient, HttpStatusError } from '../../core/transport/http';
import { locateSpec, startPrismPeer, type PrismPeer } from './prismPeer';

const spec = locateSpec();
const suite = spec || process.env.CI === 'true' ? describe : describe.skip;

suite('the server\'s reason from Prism', () => {
	let peer: PrismPeer;
	beforeAll(async () => {
		if (!spec) throw new Error('OPENAI_OPENAPI_DIR does not hold openapi.prism.yaml');
		peer = await startPrismPeer(spec, ['/fine_tuning/jobs', '/chat/completions']);
	});
	afterAll(async () => peer?.stop());

	it.each([
		['/fine_tuning/jobs', { model: 'gpt-4.1-mini', training_file: 'file-1', method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 99 } } } }, /^422 Invalid request: Your request is not valid.+Request body property method\.supervised\.hyperparameters\.n_epochs must be <= 50/],
		['/chat/completions', { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }], top_logprobs: 21, logprobs: true }, /^422 Invalid request: Your request is not valid.+: Request body property top_logprobs must be <= 20/],
	])('%s', async (path, json, reason) => {
		const http = createHttpClient({ baseUrl: peer.baseUrl, apiKey: 'sk-reason-0000' });
		const error = await http.request({ method: 'POST', path, json }, new AbortController().signal).catch((e: unknown) => e);
		http.close();
		expect(error).toBeInstanceOf(HttpStatusError);
		expect((error as HttpStatusError).headers.get('content-type')).toMatch(/^application\/problem\+json/);
		expect((error as Error).message).toMatch(reason);
	});
});
