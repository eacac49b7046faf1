import type { Locale } from './i18n/locale.ts';

/**
 * The exact commands that install the agent on a school PC. The agent ships as one file that needs
 * only Node.js (santong-agent.mjs); `enroll` trades the token for a device key, `install-service`
 * makes it report on schedule (a scheduled task on Windows, a systemd unit on Linux).
 */
export function InstallCommands(props: { locale: Locale; serverUrl: string; token: string }) {
  const t = props.locale.t;
  const enroll = `enroll --server ${props.serverUrl} --token ${props.token} --classroom <classroom-code>`;
  return (
    <div class="install">
      <h3>{t('enrollment.windows')}</h3>
      <pre>{`node .\\santong-agent.mjs ${enroll}\nnode .\\santong-agent.mjs install-service`}</pre>
      <h3>{t('enrollment.linux')}</h3>
      <pre>{`sudo node ./santong-agent.mjs ${enroll}\nsudo node ./santong-agent.mjs install-service`}</pre>
      <p class="meta">{t('enrollment.classroomHint')}</p>
    </div>
  );
}
