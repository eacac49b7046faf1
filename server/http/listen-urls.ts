import os from 'node:os';

/**
 * The URLs a server bound to `host` answers at, this machine's loopback first: for 0.0.0.0 every IPv4 address
 * of the machine, for :: every address (a dual-stack socket), else the one address it was given. The start-up
 * log names these, not a loopback URL alone that hides where the server is reachable from.
 */
export function listeningUrls(
  host: string,
  port: number,
  interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces(),
): string[] {
  const url = (address: string) => `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  if (host !== '0.0.0.0' && host !== '::') return [url(host)];
  const addresses = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => host === '::' || i.family === 'IPv4')
    // Link-local IPv6 needs a zone (%eth0) that a browser's address bar does not take.
    .filter((i) => !(i.family === 'IPv6' && i.address.toLowerCase().startsWith('fe80:')))
    .sort(
      (a, b) => Number(b.internal) - Number(a.internal) || Number(a.family === 'IPv6') - Number(b.family === 'IPv6'),
    )
    .map((i) => i.address);
  const loopback = addresses.length > 0 ? [] : ['127.0.0.1'];
  return [...new Set([...loopback, ...addresses])].map(url);
}
