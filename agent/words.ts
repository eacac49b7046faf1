import type { DisplayKind } from '../shared/schemas/report.ts';
import type { AgentLang } from './lang.ts';
import type { SpeedSkipReason } from './report-summary.ts';

/*
 * What the agent says to the IT teacher at the PC, in Chinese and English. The display-kind words are the
 * on-site ones (投影机, 交互式智能平板 …), shorter than the dashboard's, which explain more to a county officer.
 */
type Words = {
  kind: Record<DisplayKind, string>;
  speedSkipped: Record<SpeedSkipReason, string>;
  noSize: string;
  size: (cm: string, inches: string) => string;
  label: Record<
    | 'report'
    | 'classroom'
    | 'internet'
    | 'speed'
    | 'displays'
    | 'server'
    | 'delivery'
    | 'device'
    | 'queue'
    | 'delivered'
    | 'lastAttempt'
    | 'nextReport'
    | 'latest'
    | 'settings',
    string
  >;
  noClassroom: string;
  reachable: (latency: string | null) => string;
  unreachable: string;
  speed: (down: string, up: string, at: string | null) => string;
  noDisplay: string;
  acknowledged: (accepted: number, duplicates: number) => string;
  refused: (quarantineDir: string) => string;
  unauthorized: (error: string) => string;
  queued: (error: string, queued: number) => string;
  queue: (count: number, bytes: number, quarantined: number, dropped: number) => string;
  never: string;
  none: string;
  atNextStart: string;
  noReportYet: string;
  lastResult: Record<'done' | 'retry' | 'unauthorized', string>;
  attempt: (time: string, result: string, error: string | undefined) => string;
  enrolledAt: (school: string) => string;
  state: string;
  serverNoScheme: (given: string) => string;
  serverNotUrl: (given: string) => string;
};

const zhCN: Words = {
  kind: {
    projector: '投影机',
    'interactive-panel': '交互式智能平板',
    'large-display': '大屏显示器',
    monitor: '显示器',
    builtin: '内置屏',
    unknown: '未知显示设备',
  },
  speedSkipped: {
    'not-asked': '本次未测速（加 --speed-test 立即测速；后台服务在上课时间每 6 小时测一次）',
    disabled: '未测速：设置中已关闭测速',
    'outside-hours': '未测速：不在上课时间（8–17 时）',
    'not-due': '未测速：距上次测速不足 6 小时',
    'no-slot': '未测速：本校另一台电脑正在测速，下次再测',
    failed: '未测速：测速失败（见日志）',
  },
  noSize: '无固定尺寸',
  size: (cm, inches) => `${cm} 厘米（${inches} 英寸）`,
  label: {
    report: '报告',
    classroom: '班级',
    internet: '互联网',
    speed: '网速',
    displays: '显示设备',
    server: '服务器',
    delivery: '上报',
    device: '设备',
    queue: '待发队列',
    delivered: '上次送达',
    lastAttempt: '上次尝试',
    nextReport: '下次上报',
    latest: '最近一份报告',
    settings: '设置',
  },
  noClassroom: '未指定班级（报告计入学校）',
  reachable: (latency) => `可以访问${latency ? `，延迟 ${latency} 毫秒` : ''}`,
  unreachable: '无法访问',
  speed: (down, up, at) => `下行 ${down} Mbps，上行 ${up} Mbps${at ? `（${at} 测得）` : ''}`,
  noDisplay: '未发现显示设备',
  acknowledged: (accepted, duplicates) =>
    `服务器已确认收到（新收 ${accepted} 份${duplicates ? `，${duplicates} 份此前已收到` : ''}）`,
  refused: (dir) => `服务器拒收此报告，已移入 ${dir}`,
  unauthorized: (error) => `服务器不认此电脑的设备密钥：请重新注册（enroll）；报告留在待发队列中（${error}）`,
  queued: (error, queued) => `未送达，已存入待发队列（共 ${queued} 份），稍后自动重发。原因：${error}`,
  queue: (count, bytes, quarantined, dropped) =>
    `${count} 份报告（${bytes} 字节）；${quarantined} 份被拒收；${dropped} 份因队列已满丢弃、尚未告知服务器`,
  never: '从未',
  none: '无',
  atNextStart: '下次启动时',
  noReportYet: '尚无报告（运行 once 或启动服务后会有）',
  lastResult: { done: '成功', retry: '失败，将重试', unauthorized: '设备密钥被拒' },
  attempt: (time, result, error) => `${time}（${result}）${error ? `：${error}` : ''}`,
  enrolledAt: (school) => `已注册到 ${school}`,
  state: '状态目录',
  serverNoScheme: (given) =>
    `--server ${given} 缺少协议（http:// 或 https://）。请写成 --server https://santong.example.edu.cn；` +
    `服务器就在本机时可写 --server http://${given}`,
  serverNotUrl: (given) => `--server ${given} 不是网址。请写成 --server https://santong.example.edu.cn`,
};

const en: Words = {
  kind: {
    projector: 'projector',
    'interactive-panel': 'interactive panel',
    'large-display': 'large display',
    monitor: 'monitor',
    builtin: 'built-in screen',
    unknown: 'unknown display',
  },
  speedSkipped: {
    'not-asked':
      'not measured this time (add --speed-test to measure now; the service measures in school hours every 6 h)',
    disabled: 'not measured: speed tests are turned off in the settings',
    'outside-hours': 'not measured: outside school hours (08–17)',
    'not-due': 'not measured: the last test was less than 6 hours ago',
    'no-slot': 'not measured: another PC of this school is testing; the next report tries again',
    failed: 'not measured: the speed test failed (see the log)',
  },
  noSize: 'no fixed size',
  size: (cm, inches) => `${cm} cm (${inches}″)`,
  label: {
    report: 'report',
    classroom: 'classroom',
    internet: 'internet',
    speed: 'speed',
    displays: 'displays',
    server: 'server',
    delivery: 'delivery',
    device: 'device',
    queue: 'queue',
    delivered: 'delivered',
    lastAttempt: 'last attempt',
    nextReport: 'next report',
    latest: 'latest report',
    settings: 'settings',
  },
  noClassroom: 'no classroom given (counts for the school)',
  reachable: (latency) => `reachable${latency ? `, ${latency} ms` : ''}`,
  unreachable: 'not reachable',
  speed: (down, up, at) => `down ${down} Mbps, up ${up} Mbps${at ? ` (measured ${at})` : ''}`,
  noDisplay: 'no display found',
  acknowledged: (accepted, duplicates) =>
    `acknowledged by the server (${accepted} accepted${duplicates ? `, ${duplicates} already known` : ''})`,
  refused: (dir) => `refused by the server; moved to ${dir}`,
  unauthorized: (error) => `device key refused: enroll this PC again; reports stay queued (${error})`,
  queued: (error, queued) => `not delivered, queued for later (${queued} in the queue); will retry. Reason: ${error}`,
  queue: (count, bytes, quarantined, dropped) =>
    `${count} report(s), ${bytes} bytes; ${quarantined} quarantined; ${dropped} dropped, not yet reported`,
  never: 'never',
  none: 'none',
  atNextStart: 'at next start',
  noReportYet: 'no report yet (run once, or start the service)',
  lastResult: { done: 'ok', retry: 'failed, will retry', unauthorized: 'device key refused' },
  attempt: (time, result, error) => `${time} (${result})${error ? `: ${error}` : ''}`,
  enrolledAt: (school) => `enrolled at ${school}`,
  state: 'state',
  serverNoScheme: (given) =>
    `--server ${given} has no scheme (http:// or https://): give it as --server https://santong.example.edu.cn, ` +
    `or --server http://${given} for a server on this PC`,
  serverNotUrl: (given) => `--server ${given} is not a URL: give it as --server https://santong.example.edu.cn`,
};

/** The agent's words in one language. */
export function wordsFor(lang: AgentLang): Words {
  return lang === 'en' ? en : zhCN;
}
