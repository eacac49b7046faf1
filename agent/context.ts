import { currentPlatform, loadConfig, stateDirFor, type AgentConfig } from './config.ts';
import { removeStaleTemps } from './durable-file.ts';
import type { AgentLang } from './lang.ts';
import { createDispatcher, type Dispatcher } from './http.ts';
import { Outbox } from './outbox.ts';
import type { SendTarget } from './send.ts';
import { AGENT_VERSION } from './version.ts';

/** Everything a command needs once the agent is enrolled. */
export type AgentContext = {
  config: AgentConfig;
  configPath: string;
  stateDir: string;
  dispatcher: Dispatcher;
  outbox: Outbox;
  target: SendTarget;
};

/** Loads settings, opens the outbox and clears what killed writes left; `--proxy`/`--ca-file` on the command line win over the file. */
export async function openAgent(
  configPath: string,
  overrides: { proxy?: string; caFile?: string } = {},
  lang: AgentLang = 'zh-CN',
): Promise<AgentContext> {
  const config = await loadConfig(configPath, lang);
  const stateDir = stateDirFor(config, configPath, currentPlatform());
  const dispatcher = createDispatcher({
    proxy: overrides.proxy ?? config.proxy,
    caFile: overrides.caFile ?? config.caFile,
  });
  const outbox = await Outbox.open(stateDir, config.outbox);
  // The outbox clears its own; these are the schedule's and the delivery record's.
  await removeStaleTemps(stateDir);
  const target = {
    serverUrl: config.serverUrl,
    deviceKey: config.deviceKey,
    dispatcher,
    userAgent: `santong-agent/${AGENT_VERSION}`,
  };
  return { config, configPath, stateDir, dispatcher, outbox, target };
}
