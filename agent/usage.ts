import type { AgentLang } from './lang.ts';
import { AGENT_VERSION } from './version.ts';

/** The command line's help, in the language the agent speaks; `configPath` is this PC's default settings file. */
export function usageText(lang: AgentLang, configPath: string): string {
  if (lang === 'en')
    return `santong-agent ${AGENT_VERSION}: measured evidence of school connectivity (三通两平台)

  enroll --server URL --token TOKEN [--classroom CODE] [--proxy URL] [--ca-file PEM] [--target URL ...] [--insecure-http]
                            prints the fingerprint of the release key it pins: compare it with your county office's;
                            plain http:// is refused unless the server is this PC or --insecure-http is given
  once [--retries N] [--speed-test] [--json]
                            collect one report, queue it, deliver; prints what it measured (internet, speed,
                            displays) and whether the server acknowledged it; exit 0 only if it did.
                            --speed-test measures down/up now, when the server grants this school's slot
  run                       report on schedule until SIGTERM/SIGINT (the queue is kept)
  status [--json]           enrollment, queue, last delivery, the latest report's facts, next report
  install-service [--dry-run] [--user NAME]    systemd unit (Linux) or scheduled task (Windows)
  uninstall-service [--dry-run]

  --config PATH   settings file (default: ${configPath})
  --proxy URL     proxy for this run; HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply otherwise
  --lang zh-CN|en language of messages (default: SANTONG_LANG, else the system locale, else zh-CN); times in Beijing time
exit codes: 0 ok, 1 not delivered (queued), 2 usage or settings, 3 device key refused (enroll again), 4 report refused,
  75 updated itself (the service starts it again)`;
  return `santong-agent ${AGENT_VERSION}：学校联网与班班通设备的实测证据（三通两平台）

  enroll --server 网址 --token 注册码 [--classroom 班级代码] [--proxy 网址] [--ca-file PEM] [--target 网址 ...] [--insecure-http]
                            注册本机；会显示所固定的发布密钥指纹，请与县教育局提供的核对；
                            除非服务器就在本机或加了 --insecure-http，否则拒绝明文 http://
  once [--retries N] [--speed-test] [--json]
                            采集一份报告、存入待发队列并上报；显示测得的情况（互联网、网速、显示设备）
                            以及服务器是否确认收到；只有确认收到才以 0 退出。
                            --speed-test：服务器分配到本校测速名额时，立即测下行/上行网速
  run                       按计划持续上报，直到 SIGTERM/SIGINT（待发队列保留）
  status [--json]           注册信息、待发队列、上次送达、最近一份报告的情况、下次上报时间
  install-service [--dry-run] [--user 用户名]    安装 systemd 服务（Linux）或计划任务（Windows）
  uninstall-service [--dry-run]

  --config 路径   设置文件（默认：${configPath}）
  --proxy 网址    本次使用的代理；否则使用 HTTPS_PROXY / HTTP_PROXY / NO_PROXY
  --lang zh-CN|en 提示语言（默认依次看 SANTONG_LANG、系统语言，否则中文）；时间均为北京时间
退出码：0 成功，1 未送达（已入队列），2 用法或设置有误，3 设备密钥被拒（请重新注册），4 报告被拒收，
  75 已自我更新（由服务重新启动）`;
}
