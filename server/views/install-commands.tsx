import type { AgentOnOffer, DownloadKind, OfferedDownload } from '../releases/agent-downloads.ts';
import { offerCommand } from '../releases/agent-downloads.ts';
import type { Locale } from '../i18n/locale.ts';
import { DataTable } from './table.tsx';

/** The agent's file name, as the install commands run it, and where a signed-in person downloads it. */
export const AGENT_FILE = 'santong-agent.mjs';
export const AGENT_DOWNLOAD = `/agent/${AGENT_FILE}`;

/** A file's size for people: KiB under 100 KiB, else MiB with one decimal. */
export function fileSize(locale: Locale, bytes: number): string {
  return bytes >= 102_400
    ? `${locale.number(bytes / 1_048_576, 1)} MiB`
    : `${locale.number(Math.max(1, bytes / 1024))} KiB`;
}

/** The placeholder the IT teacher replaces with the PC's classroom code, in the reader's language. */
export const classroomPlaceholder = (locale: Locale) => (locale.lang === 'en' ? '<classroom-code>' : '<教室编号>');

/**
 * The exact lines that install the agent on a school PC with a school's token (issue 16 item 4): the Windows
 * installer's silent line, the .deb's two commands per machine, and the one-file agent for PCs that have
 * Node.js. A download line sends the token, which lets a PC download without a dashboard account (decision 183).
 * Only what this server offers gets a line; a kind it lacks says which command offers it.
 */
export function InstallCommands(props: {
  locale: Locale;
  serverUrl: string;
  token: string;
  onOffer: AgentOnOffer;
  releaseKeyFingerprints: string[];
}) {
  const { locale, serverUrl, token, onOffer } = props;
  const t = locale.t;
  const room = classroomPlaceholder(locale);
  const offered = (kind: DownloadKind) => onOffer.files.find((f) => f.kind === kind);
  const fetchLine = (curl: string, file: OfferedDownload, quote: string) =>
    `${curl} -fLO -H ${quote}Authorization: Bearer ${token}${quote} ${serverUrl}/agent/${file.fileName}`;
  const missing = (kind: DownloadKind) => (
    <p class="note" data-missing={kind}>
      {locale.fill('install.missing', {
        kind: t(`install.kind.${kind}`),
        command: offerCommand(kind, onOffer.bundle?.version),
      })}
    </p>
  );
  const installer = offered('windows-installer');
  const enroll = `enroll --server ${serverUrl} --token ${token} --classroom ${room}`;
  return (
    <div class="install">
      <h3>{t('install.windowsInstaller')}</h3>
      {installer ? (
        <>
          <p>{t('install.silentHint')}</p>
          <pre id="silent-line">{`${installer.fileName} /S /SERVER=${serverUrl} /TOKEN=${token} /CLASSROOM=${room}`}</pre>
          <p class="meta">{locale.fill('install.computerRoom', { file: installer.fileName })}</p>
          <p>{t('install.windowsFetch')}</p>
          <pre>{fetchLine('curl.exe', installer, '"')}</pre>
        </>
      ) : (
        missing('windows-installer')
      )}
      <h3>{t('install.deb')}</h3>
      <p class="meta">{t('install.debArch')}</p>
      {(['deb-amd64', 'deb-arm64'] as const).map((kind) => {
        const deb = offered(kind);
        if (!deb) return missing(kind);
        const env = `SANTONG_SERVER=${serverUrl} SANTONG_TOKEN=${token} SANTONG_CLASSROOM=${room}`;
        return (
          <>
            <h4>{t(`install.kind.${kind}`)}</h4>
            <pre
              data-deb={kind}
            >{`${fetchLine('curl', deb, "'")}\nsudo ${env} apt-get install -y ./${deb.fileName}`}</pre>
          </>
        );
      })}
      <h3>{t('install.withNode')}</h3>
      <p class="meta">{t('enrollment.folderHint')}</p>
      <h4>{t('enrollment.windows')}</h4>
      <pre>{`cd "C:\\Program Files\\santong-agent"\nnode .\\santong-agent.mjs ${enroll}\nnode .\\santong-agent.mjs install-service\ncmd /c "%ProgramData%\\santong-agent\\santong-agent-install.cmd"`}</pre>
      <h4>{t('enrollment.linux')}</h4>
      <pre>{`cd /opt/santong-agent\nsudo node ./santong-agent.mjs ${enroll}\nsudo node ./santong-agent.mjs install-service`}</pre>
      <p class="meta">{locale.fill('enrollment.classroomHint', { room })}</p>
      <AgentFiles locale={locale} onOffer={onOffer} />
      <ReleaseKeyFingerprints locale={locale} fingerprints={props.releaseKeyFingerprints} />
    </div>
  );
}

type FileRow = { fileName: string; kind: DownloadKind | 'bundle'; version: string; size: number; sha256: string };

/** Every file on offer with its version, size and SHA-256, its signature file, and SHA256SUMS over them all. */
export function AgentFiles(props: { locale: Locale; onOffer: AgentOnOffer }) {
  const { locale, onOffer } = props;
  const t = locale.t;
  const rows: FileRow[] = [
    ...(onOffer.bundle ? [{ fileName: AGENT_FILE, kind: 'bundle' as const, ...onOffer.bundle }] : []),
    ...onOffer.files,
  ];
  if (rows.length === 0) return <p class="note">{t('school.noRelease')}</p>;
  const signed = (r: FileRow) => r.kind !== 'bundle' || onOffer.bundle?.signed === true;
  return (
    <>
      <h3>{t('install.files')}</h3>
      <DataTable
        locale={locale}
        caption={t('install.files')}
        id="agent-files"
        rows={rows}
        columns={[
          {
            label: 'col.file',
            value: (r) => r.fileName,
            cell: (r) => (
              <a href={`/agent/${r.fileName}`} download={r.fileName}>
                {r.fileName}
              </a>
            ),
          },
          { label: 'col.fileKind', value: (r) => t(`install.kind.${r.kind}`) },
          { label: 'col.version', value: (r) => r.version },
          { label: 'col.size', value: (r) => fileSize(locale, r.size) },
          { label: 'col.sha256', value: (r) => r.sha256, cell: (r) => <code class="digest">{r.sha256}</code> },
          {
            label: 'col.signature',
            value: (r) => (signed(r) ? `${r.fileName}.sig` : null),
            cell: (r) =>
              signed(r) ? (
                <a href={`/agent/${r.fileName}.sig`} download={`${r.fileName}.sig`}>
                  {t('school.downloadSignature')}
                </a>
              ) : (
                t('value.none')
              ),
          },
        ]}
      />
      <p class="meta">
        <a href="/agent/SHA256SUMS" download="SHA256SUMS">
          SHA256SUMS
        </a>
        {` · ${t('install.checkSums')}`}
      </p>
    </>
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
