/*
 * What the Windows installer says (agent/package/windows-installer.ts), Chinese first: NSIS shows Chinese on a
 * Chinese Windows and on any Windows whose UI language is neither of these, English on an English one.
 * `{log}` is the installer's log file, `{server}` the server given (filled in on the PC).
 */
export const INSTALLER_WORDS = {
  EnrollTitle: { zh: '注册到教育局的服务器', en: "Enroll with the education bureau's server" },
  EnrollSubtitle: {
    zh: '填写县教育局提供的服务器网址和注册码',
    en: 'The server address and the enrollment token come from your county education bureau',
  },
  ServerLabel: { zh: '服务器网址', en: 'Server URL' },
  TokenLabel: { zh: '注册码', en: 'Enrollment token' },
  ClassroomLabel: { zh: '教室编号（可不填）', en: 'Classroom code (optional)' },
  EnrollNote: {
    zh: '注册码在 santong 的“注册”页面发放，一所学校一个。本电脑已经注册过时，注册码可以留空，保留原来的注册。点“安装”后先向服务器注册，注册成功才安装。',
    en: "Tokens are issued per school on santong's enrollment page. On a PC that is enrolled already, leave the token empty to keep its enrollment. Install enrolls with the server first and installs only once that succeeded.",
  },
  NeedServerToken: {
    zh: '本电脑还没有注册：请填写服务器网址和注册码（静默安装：/SERVER=网址 /TOKEN=注册码）。',
    en: 'This PC is not enrolled yet: give the server URL and the enrollment token (silent install: /SERVER=URL /TOKEN=TOKEN).',
  },
  BadInput: {
    zh: '服务器网址、注册码或教室编号过长，或含有双引号（"）：请照县教育局给的原样填写。',
    en: 'The server URL, token or classroom code is too long or contains a double quote ("): enter them exactly as your county office gave them.',
  },
  PathTooLong: {
    zh: 'Program Files、ProgramData、系统文件夹或临时文件夹的路径过长，安装程序无法处理。请在 TEMP 指向较短路径（例如 C:\\Temp）时重新运行。',
    en: 'The path of Program Files, ProgramData, the system folder or the temporary folder is too long for this installer. Run it again with TEMP set to a short path (e.g. C:\\Temp).',
  },
  NotAdministrator: {
    zh: '请以管理员身份运行安装程序（右键 → 以管理员身份运行）。',
    en: 'Run the installer as an administrator (right-click → Run as administrator).',
  },
  Enrolling: { zh: '正在向服务器注册：{server}', en: 'Enrolling with {server}' },
  EnrollFailed: {
    zh: '注册没有成功，本电脑上没有安装任何东西。请检查服务器网址和注册码（注册码可能已过期或已用完），然后重试。',
    en: 'Enrollment did not succeed and nothing was installed. Check the server URL and the token (it may have expired or been used up) and try again.',
  },
  CopyFailed: {
    zh: '无法写入 santong-agent.exe（可能仍在运行）。请重启电脑后重新安装。',
    en: 'Could not write santong-agent.exe (it may still be running). Restart the PC and run the installer again.',
  },
  SetupFailed: {
    zh: '设置文件夹权限或创建计划任务时出错，santong-agent 没有启动。可以卸载后重新安装。',
    en: 'A step that locks the folders or creates the scheduled task failed; santong-agent was not started. Uninstall it and install again.',
  },
  SeeLog: { zh: '详细记录：{log}', en: 'Details: {log}' },
  Installed: {
    zh: 'santong-agent 已安装：开机后以 SYSTEM 身份在后台运行，每小时报告一次。',
    en: 'santong-agent is installed: it runs in the background as SYSTEM from start-up and reports every hour.',
  },
  UninstallTitle: { zh: '卸载 santong-agent', en: 'Uninstall santong-agent' },
  UninstallSubtitle: {
    zh: '删除计划任务、程序文件夹、设置和状态',
    en: 'Removes the scheduled task, the program folder, the settings and the state',
  },
  KeepOutbox: {
    zh: '保留尚未发送的报告（outbox），重新安装后补发',
    en: 'Keep the reports not sent yet (the outbox), to send them after a reinstall',
  },
} as const satisfies Record<string, { zh: string; en: string }>;

export type InstallerWord = keyof typeof INSTALLER_WORDS;
