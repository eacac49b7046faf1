import type { AgentLang } from './lang.ts';
import type { InstallProblem } from './service.ts';

/** What install-service says to the IT teacher, in Chinese and English. */
type ServiceWords = {
  problem: (p: InstallProblem) => string;
  refused: string;
  copies: (dir: string) => string;
  needsRoot: string;
  windowsOwnFolder: string;
  windowsUserProfile: (dir: string) => string;
};

const zhCN: ServiceWords = {
  problem: (p) => {
    if (p.kind === 'sources')
      return `这是源代码（${p.script}），不是可安装的程序文件：请先 npm run build:agent，再用 dist/santong-agent.mjs 运行 install-service`;
    const hidden = `在 ${p.hiddenIn} 下，服务看不到这个目录（ProtectHome、PrivateTmp）`;
    if (p.kind === 'node')
      return `Node.js（${p.path}）${hidden}：请把 Node.js 20 或更高版本装到系统目录（例如系统软件包的 /usr/bin/node 或 /usr/local/bin/node），再用它运行 install-service`;
    if (p.kind === 'config')
      return `设置文件 ${p.path} ${hidden}：请以 root 身份不带 --config 重新注册（设置写到 /etc/santong-agent/config.json），再运行 install-service`;
    return `状态目录 ${p.path} ${hidden}：请在设置文件中把 stateDir 改到 /var/lib/santong-agent，或删去这一项`;
  },
  refused: '服务无法从以下位置启动，未安装：',
  copies: (dir) => `# 把程序文件复制到 ${dir}（服务的用户可以读取），服务运行这个副本`,
  needsRoot: 'install-service 需要 root 权限（sudo）',
  windowsOwnFolder:
    '请把 santong-agent.mjs 放到单独的文件夹（例如 C:\\Program Files\\santong-agent\\）并在那里运行 install-service：计划任务以 SYSTEM 身份运行它，所以只能让管理员修改这个文件夹',
  windowsUserProfile: (dir) =>
    `${dir} 在用户的个人文件夹里，该用户可以替换整个文件夹：请把 santong-agent.mjs 及其 .sig 复制到 C:\\Program Files\\santong-agent\\，在那里运行 install-service`,
};

const en: ServiceWords = {
  problem: (p) => {
    if (p.kind === 'sources')
      return `this is the source code (${p.script}), not an installable file: npm run build:agent, then run install-service with dist/santong-agent.mjs`;
    const hidden = `is under ${p.hiddenIn}, which the service cannot see (ProtectHome, PrivateTmp)`;
    if (p.kind === 'node')
      return `Node.js (${p.path}) ${hidden}: install Node.js 20 or later system-wide (the distribution's /usr/bin/node, or /usr/local/bin/node) and run install-service with it`;
    if (p.kind === 'config')
      return `the settings file ${p.path} ${hidden}: enroll again as root without --config (the settings go to /etc/santong-agent/config.json), then run install-service`;
    return `the state directory ${p.path} ${hidden}: set stateDir in the settings file to /var/lib/santong-agent, or remove it`;
  },
  refused: 'the service could not start from these places, so it is not installed:',
  copies: (dir) => `# copies the agent into ${dir} (readable by the service's user); the service runs that copy`,
  needsRoot: 'install-service needs root (sudo)',
  windowsOwnFolder:
    'put santong-agent.mjs in a folder of its own (e.g. C:\\Program Files\\santong-agent\\) and run install-service from there: the task runs it as SYSTEM, so only administrators may change that folder',
  windowsUserProfile: (dir) =>
    `${dir} is in a user's profile, and that user can replace the whole folder: copy santong-agent.mjs and its .sig to C:\\Program Files\\santong-agent\\ and run install-service from there`,
};

export function serviceWordsFor(lang: AgentLang): ServiceWords {
  return lang === 'en' ? en : zhCN;
}
