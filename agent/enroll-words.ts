import type { AgentLang } from './lang.ts';

/** What `enroll` (and a command run before it) says to the IT teacher, in Chinese and English. */
type EnrollWords = {
  notUrl: (server: string) => string;
  notHttps: (server: string) => string;
  plainHttp: (server: string) => string;
  noReleaseKey: string;
  pinned: (count: number, fingerprints: string) => string;
  compare: string;
  unreachable: (server: string, error: string) => string;
  refused: (status: number, reason: string) => string;
  enrolled: (reused: boolean, deviceId: string, where: string, configPath: string) => string;
  notEnrolled: (path: string) => string;
  cannotRead: (path: string) => string;
  notJson: (path: string) => string;
  invalid: (path: string) => string;
};

const zhCN: EnrollWords = {
  notUrl: (server) => `--server ${server} 不是网址。请写成 --server https://santong.example.edu.cn`,
  notHttps: (server) => `--server ${server}：服务器地址应以 https:// 开头`,
  plainHttp: (server) =>
    `拒绝通过明文 HTTP 注册（${server}）：这台电脑与服务器之间网络上的任何人都能读到设备密钥，` +
    '还能换上他们自己的发布密钥，从而在这台电脑上运行代码。请使用 https:// 地址；只有这个网络完全由你掌控时，才加 --insecure-http',
  noReleaseKey: '服务器尚未配置发布密钥：在县教育局添加密钥并重新注册之前，这台电脑不会自动更新',
  pinned: (_count, fingerprints) => `已固定发布密钥：${fingerprints}`,
  compare: '请与县教育局提供的指纹核对；如不一致，请卸载本程序并联系他们',
  unreachable: (server, error) => `无法连接 ${server}：${error}（如需经代理上网，请加 --proxy URL 或设置 HTTPS_PROXY）`,
  refused: (status, reason) => `注册被拒绝（HTTP ${status}）：${reason}`,
  enrolled: (reused, deviceId, where, configPath) =>
    `${reused ? '已重新注册' : '已注册'}：设备 ${deviceId}，${where}；设置保存在 ${configPath}`,
  notEnrolled: (path) => `${path} 处没有设置：请先注册（santong-agent enroll --server 网址 --token 注册码）`,
  cannotRead: (path) => `无法读取 ${path}：请以本程序的用户或 root（管理员）运行`,
  notJson: (path) => `${path} 不是有效的 JSON`,
  invalid: (path) => `${path} 中的设置有误：`,
};

const en: EnrollWords = {
  notUrl: (server) => `--server ${server} is not a URL: give it as --server https://santong.example.edu.cn`,
  notHttps: (server) => `--server ${server}: the server's address starts with https://`,
  plainHttp: (server) =>
    `refusing to enroll over plain HTTP (${server}): anyone on the network between this PC and the server could read its device key ` +
    'and give it a release key of their own, which would let them run code on it. Use the https:// address; ' +
    'only if this network is yours alone, add --insecure-http',
  noReleaseKey:
    'no release key on this server yet: this PC will not update itself until it is enrolled again after the county office adds one',
  pinned: (count, fingerprints) => `release key${count > 1 ? 's' : ''} pinned: ${fingerprints}`,
  compare:
    'compare with the fingerprint your county office gives you; if it differs, uninstall the agent and call them',
  unreachable: (server, error) =>
    `cannot reach ${server}: ${error} (behind a proxy? pass --proxy URL or set HTTPS_PROXY)`,
  refused: (status, reason) => `enrollment refused (HTTP ${status}): ${reason}`,
  enrolled: (reused, deviceId, where, configPath) =>
    `${reused ? 're-enrolled' : 'enrolled'} as device ${deviceId} at ${where}; settings in ${configPath}`,
  notEnrolled: (path) => `no settings at ${path}: enroll first (santong-agent enroll --server URL --token TOKEN)`,
  cannotRead: (path) => `cannot read ${path}: run as the agent's user or root`,
  notJson: (path) => `${path} is not valid JSON`,
  invalid: (path) => `invalid settings in ${path}:`,
};

/** The enrollment words in one language. */
export function enrollWordsFor(lang: AgentLang): EnrollWords {
  return lang === 'en' ? en : zhCN;
}
