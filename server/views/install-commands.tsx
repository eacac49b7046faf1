import type { Locale } from '../i18n/locale.ts';

/** The agent's file name, as the install commands run it, and where a signed-in person downloads it. */
export const AGENT_FILE = 'santong-agent.mjs';
export const AGENT_DOWNLOAD = `/agent/${AGENT_FILE}`;

/**
 * The exact commands that install the agent on a school PC. The agent ships as one file that needs
 * only Node.js (santong-agent.mjs); `enroll` trades the token for a device key, `install-service`
 * makes it report on schedule (a scheduled task on Windows, a systemd unit on Linux).
 */
export function InstallCommands(props: {
  locale: Locale;
  serverUrl: string;
  token: string;
  releaseKeyFingerprints: string[];
}) {
  const t = props.locale.t;
  const enroll = `enroll --server ${props.serverUrl} --token ${props.token} --classroom <classroom-code>`;
  return (
    <div class="install">
      <p class="meta">{t('enrollment.folderHint')}</p>
      <h3>{t('enrollment.windows')}</h3>
      <pre>{`cd "C:\\Program Files\\santong-agent"\nnode .\\santong-agent.mjs ${enroll}\nnode .\\santong-agent.mjs install-service\ncmd /c "%ProgramData%\\santong-agent\\santong-agent-install.cmd"`}</pre>
      <h3>{t('enrollment.linux')}</h3>
      <pre>{`cd /opt/santong-agent\nsudo node ./santong-agent.mjs ${enroll}\nsudo node ./santong-agent.mjs install-service`}</pre>
      <p class="meta">{t('enrollment.classroomHint')}</p>
      <ReleaseKeyFingerprints locale={props.locale} fingerprints={props.releaseKeyFingerprints} />
    </div>
  );
}

/** The fingerprints an IT teacher compares with what the agent prints when it pins them (decision 060). */
export function ReleaseKeyFingerprints(props: { locale: Locale; fingerprints: string[] }) {
  const t = props.locale.t;
  if (props.fingerprints.length === 0)
    return (
      <p class="error" id="release-key-fingerprints">
        {t('enrollment.noReleaseKey')}
      </p>
    );
  return (
    <div id="release-key-fingerprints">
      <p>{t('enrollment.releaseKeys')}</p>
      {props.fingerprints.map((f) => (
        <p>
          <code>{f}</code>
        </p>
      ))}
    </div>
  );
}
