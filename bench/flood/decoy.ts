import http from 'node:http';

/*
 * The control of bench/flood/flood.ts: a bare node:http server on 127.0.0.1 that refuses every request with
 * a 429 at once, as santong refuses a flood, and leaves node to drain the unread body. Flooding it
 * instead of santong costs this machine the same flooder CPU and loopback copying, but no santong work,
 * so the normal PCs' slowdown in that window is what any flood does to a shared 2-core box.
 *   node --import tsx bench/flood/decoy.ts   → prints its URL on the first line of stdout
 */
const server = http.createServer((request, response) => {
  response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '60' });
  response.end('{"error":"too many report batches from this device","code":"rate_limited"}');
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
});
// Started by flood.ts with an IPC channel: when the runner goes, so does the decoy.
process.on('disconnect', () => process.exit(0));
