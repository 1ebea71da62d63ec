import { MockOpenAiServer, type MockServerOptions } from '../server/mockOpenAiServer';

export interface TestServer {
	server: MockOpenAiServer;
	/** The server's base URL; known once the file's tests start. */
	readonly baseUrl: string;
}

/** The project's OpenAI-compatible test server for one test file: started before its tests, stopped after them. */
export function useTestServer(options?: MockServerOptions): TestServer {
	const server = new MockOpenAiServer(options);
	let baseUrl: string | undefined;
	beforeAll(async () => {
		baseUrl = await server.start();
	});
	afterAll(async () => server.stop());
	return {
		server,
		get baseUrl() {
			if (baseUrl === undefined) throw new Error('the test server starts in beforeAll: read baseUrl inside a test');
			return baseUrl;
		},
	};
}
