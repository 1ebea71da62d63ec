/**
 * The test server in a process of its own, so that a benchmark's node and server do not share one
 * event loop. Options come as JSON in argv[2]; the URL is printed as the first line.
 */
import { MockOpenAiServer, type MockServerOptions } from '../test/server/mockOpenAiServer';

const options = JSON.parse(process.argv[2] ?? '{}') as MockServerOptions;
const server = new MockOpenAiServer(options);
server.recordRequests = false;
void server.start().then((url) => process.stdout.write(`${url}\n`));
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
