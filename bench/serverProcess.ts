/**
 * The test server in a process of its own, so that a benchmark's node and server do not share one
 * event loop. Options come as JSON in argv[2]; the URL is printed as the first line. Answers can't
 * travel as JSON, so `answerPreset` names one:
 * - "refine": an answer without the keywords on the first try, and with them once the prompt
 *   carries a previous answer (a refine round), so a refine loop reaches its threshold in round 2.
 */
import { MockOpenAiServer, type MockServerOptions } from '../test/server/mockOpenAiServer';

const { answerPreset, ...options } = JSON.parse(process.argv[2] ?? '{}') as MockServerOptions & { answerPreset?: string };
if (answerPreset === 'refine') {
	options.answer = ({ body }) =>
		(body.messages ?? []).some((message) => message.role === 'assistant')
			? 'The battery lasts 20 hours on one charge, and the screen stays readable in direct sunlight.'
			: 'A good phone for travellers, with a bright screen.';
}
const server = new MockOpenAiServer(options);
server.recordRequests = false;
void server.start().then((url) => process.stdout.write(`${url}\n`));
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
