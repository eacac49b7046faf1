import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import si from 'systeminformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseReleaseFiles, readLinuxRelease } from '../../agent/collect/linux-os.ts';
import { tempDir } from './report-fixture.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const ubuntuLsb =
  'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.3 LTS"\n';
const ubuntuOs =
  'PRETTY_NAME="Ubuntu 22.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\n';
const kylinOs =
  'NAME="Kylin Linux Advanced Server"\nVERSION="V10 (Lance)"\nID="kylin"\nVERSION_ID="V10"\nPRETTY_NAME="Kylin Linux Advanced Server V10 (Lance)"\n';

describe('Linux distribution and release, by systeminformation rules without its shell', () => {
  it('names Ubuntu, Kylin, Debian and an unknown system as osInfo() does', () => {
    expect(parseReleaseFiles([ubuntuLsb, ubuntuOs, ubuntuOs].join('\n'))).toEqual({
      distro: 'Ubuntu',
      release: '22.04.3 LTS',
    });
    expect(parseReleaseFiles(kylinOs)).toEqual({ distro: 'Kylin Linux Advanced Server', release: 'V10' });
    expect(
      parseReleaseFiles(
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\n',
      ),
    ).toEqual({ distro: 'Debian GNU/Linux', release: '12' });
    expect(parseReleaseFiles("DISTRIB_ID=OpenWrt\nDISTRIB_RELEASE='23.05'\n")).toEqual({
      distro: 'OpenWrt',
      release: "'23.05'",
    });
    expect(parseReleaseFiles('')).toEqual({ distro: 'unknown', release: 'unknown' });
  });

  it('reads /etc/*-release in name order, then /usr/lib/os-release, skipping what is missing', async () => {
    await mkdir(join(dir, 'etc', 'dir-release'), { recursive: true });
    await mkdir(join(dir, 'usr'));
    await writeFile(join(dir, 'etc', 'lsb-release'), ubuntuLsb);
    await writeFile(join(dir, 'usr', 'os-release'), kylinOs);
    await symlink(join(dir, 'usr', 'os-release'), join(dir, 'etc', 'os-release'));
    // lsb-release first: its DISTRIB_ID wins over NAME; os-release's VERSION is read after it.
    expect(await readLinuxRelease(join(dir, 'etc'), join(dir, 'usr'))).toEqual({ distro: 'Ubuntu', release: 'V10' });
    expect(await readLinuxRelease(join(dir, 'none'), join(dir, 'none'))).toEqual({
      distro: 'unknown',
      release: 'unknown',
    });
  });

  it.runIf(process.platform === 'linux')('gives the same answer as systeminformation on this machine', async () => {
    const os = await si.osInfo();
    expect(await readLinuxRelease()).toEqual({ distro: os.distro, release: os.release });
  });
});
