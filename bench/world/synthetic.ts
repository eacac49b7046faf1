import { createHash } from 'node:crypto';
import { REPORT_SCHEMA_VERSION, type PresentationKind } from '../../shared/schemas/report.ts';
import { endOfLocalDay, HOUR_MS, localDay, localHour, startOfLocalDay } from '../../shared/time/china-time.ts';
import { hash32 } from '../../server/demo/seeded-random.ts';

/*
 * Deterministic synthetic facts shared by the generator and the load process: the same device index
 * always has the same id and key, so the load process derives keys from the cached seed instead of
 * reading four million of them from disk.
 */
export const AGENT_VERSION = '0.3.1';

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** A version-4-shaped UUID fixed by (index, salt). */
export function stableUuid(index: number, salt: number): string {
  const [a, b, c, d] = [
    hash32(index, salt),
    hash32(index, salt + 1),
    hash32(index, salt + 2),
    hash32(index, salt + 3),
  ].map(hex8) as [string, string, string, string];
  return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${((parseInt(c[0]!, 16) & 3) | 8).toString(16)}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/** Device i's id (as enrollment would have assigned it). */
export const deviceId = (seed: number, i: number) => stableUuid(i, seed * 16 + 1);

/** Device i's key: 32 bytes in base64url like generateSecret('device'), derived from the run's seed. */
export function deviceKey(seed: number, i: number): string {
  return 'std_' + createHash('sha256').update(`${seed}:${i}`).digest('base64url');
}

/** Report-collection instants: hourly 08:00–17:00 China time on weekdays, between from and to. */
export function schoolHourSlots(from: number, to: number): number[] {
  const slots: number[] = [];
  for (let day = localDay(from); startOfLocalDay(day) <= to; day = localDay(endOfLocalDay(day))) {
    const weekday = new Date(startOfLocalDay(day) + 8 * HOUR_MS).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (let hour = 8; hour <= 17; hour++) {
      const at = startOfLocalDay(day) + hour * HOUR_MS;
      if (at >= from && at <= to) slots.push(at);
    }
  }
  return slots;
}

/** Is this slot one of the day's two speed tests (10:00 and 15:00 China time)? */
export function isSpeedTestSlot(at: number): boolean {
  const hour = localHour(at);
  return hour === 10 || hour === 15;
}

export interface ReportFacts {
  id: string;
  collectedAt: number;
  reachable: boolean;
  latencyMs: number | null;
  downMbps: number | null;
  upMbps: number | null;
  presentation: PresentationKind | null;
  deviceIndex: number;
}

/** A report as the agent sends it from a Windows classroom PC (about 1.2 KB of JSON). */
export function reportJson(f: ReportFacts): string {
  const at = new Date(f.collectedAt).toISOString();
  const n = f.deviceIndex;
  const mac = `00:e0:4c:${hex8(hash32(n, 7)).slice(0, 2)}:${hex8(hash32(n, 7)).slice(2, 4)}:${hex8(hash32(n, 7)).slice(4, 6)}`;
  const ip = `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  const latency = f.latencyMs;
  const target = (url: string, ms: number | null) =>
    `{"target":"${url}","reachable":${f.reachable},"latencyMs":${ms}${f.reachable ? '' : ',"error":"connect ETIMEDOUT"'}}`;
  const throughput =
    f.downMbps === null
      ? ''
      : `,"throughput":{"downMbps":${f.downMbps},"upMbps":${f.upMbps},"measuredAt":"${at}","bytesDown":${Math.round(f.downMbps * 1_250_000)},"bytesUp":${Math.round((f.upMbps ?? 0) * 625_000)}}`;
  const serial = hex8(hash32(n, 9));
  const display = {
    projector: `{"kind":"projector","vendor":"SEC","model":"EPSON PJ","serial":"X5${serial}","connection":"HDMI","productCode":1841,"manufactureYear":2018,"widthPx":1024,"heightPx":768,"widthCm":0,"heightCm":0,"touch":false,"evidence":["maker","size"]}`,
    'interactive-panel': `{"kind":"interactive-panel","vendor":"CVT","model":"seewo F86EA","serial":"SW${serial}","connection":"HDMI","productCode":4660,"manufactureYear":2021,"widthPx":3840,"heightPx":2160,"widthCm":190,"heightCm":107,"touch":true,"evidence":["size","touch","name"]}`,
    'large-display': `{"kind":"large-display","vendor":"SAM","model":"SAMSUNG","serial":"TV${serial}","connection":"HDMI","productCode":3996,"manufactureYear":2020,"widthPx":3840,"heightPx":2160,"widthCm":144,"heightCm":81,"touch":false,"evidence":["size","cta"]}`,
    none: `{"kind":"monitor","vendor":"DEL","model":"P2419H","serial":"CN0${serial}","connection":"DisplayPort","productCode":41200,"manufactureYear":2020,"widthPx":1920,"heightPx":1080,"widthCm":53,"heightCm":30,"touch":false,"evidence":["size"]}`,
  }[f.presentation ?? 'none'];
  return (
    `{"schemaVersion":${REPORT_SCHEMA_VERSION},"id":"${f.id}","collectedAt":"${at}","agentVersion":"${AGENT_VERSION}",` +
    `"network":{"interfaces":[{"name":"以太网","type":"wired","up":true,"speedMbps":1000,"mac":"${mac}","ipv4":["${ip}"],"ipv6":["fe80::2e0:4cff:fe68:${(n & 0xffff).toString(16)}"]},` +
    `{"name":"WLAN","type":"wireless","up":false,"speedMbps":null,"ipv4":[],"ipv6":[]},` +
    `{"name":"vEthernet (Default Switch)","type":"virtual","up":true,"speedMbps":10000,"ipv4":["172.24.16.1"],"ipv6":[]}],` +
    `"defaultGateway":"10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.1",` +
    `"internet":{"reachable":${f.reachable},"latencyMs":${latency},"targets":[${target('https://www.baidu.com/', latency)},${target('https://www.qq.com/', latency === null ? null : latency + 6)},${target('https://www.smartedu.cn/', latency === null ? null : latency + 11)}]}${throughput}},` +
    `"displays":[${display}],` +
    `"device":{"hostname":"PC-${n}","os":{"platform":"win32","distro":"Microsoft Windows 10 Pro","release":"10.0.19045","arch":"x64"},"uptimeSeconds":${3_600 + (hash32(n, f.collectedAt % 977) % 30_000)}}}`
  );
}
