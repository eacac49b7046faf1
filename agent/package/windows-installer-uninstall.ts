import {
  nsisString as q,
  nsisVar,
  UNINSTALL_KEY,
  INSTALLER_EXIT,
  INSTALLER_SWITCHES,
  type InstallerLayout,
} from './windows-installer-layout.ts';

/*
 * The uninstaller, as NSIS text (docs/decisions/182-windows-installer.md): the task ended and deleted, the program
 * folder and the settings removed, the outbox kept when asked.
 */

/** un.onInit, the page that asks whether to keep the outbox, and the uninstall section. */
export function uninstallerSection(l: InstallerLayout): string {
  const keepOnly = ({ dir, keep }: { dir: string; keep: string[] }) => `  FindFirst $R0 $R1 ${q(`${dir}\\*`)}
  \${DoWhile} $R1 != ""
    \${If} $R1 != "."
    \${AndIf} $R1 != ".."
${keep.map((name) => `    \${AndIf} $R1 != ${q(name)}`).join('\n')}
      Delete ${q(`${dir}\\${nsisVar('R1')}`)}
      RMDir /r ${q(`${dir}\\${nsisVar('R1')}`)}
    \${EndIf}
    FindNext $R0 $R1
  \${Loop}
  FindClose $R0`;
  return `
Function un.onInit
  SetShellVarContext all
  ReadEnvStr $ProgramDataDir ProgramData
  \${If} $ProgramDataDir == ""
    StrCpy $ProgramDataDir "C:\\ProgramData"
  \${EndIf}
  StrCpy $KeepOutbox 0
  \${GetParameters} $R0
  StrCpy $R1 "${INSTALLER_SWITCHES.keepOutbox}"
  Call un.SwitchValue
  \${IfNot} \${Errors}
    StrCpy $KeepOutbox 1
  \${EndIf}
  UserInfo::GetAccountType
  Pop $R1
  \${If} $R1 != "Admin"
    \${IfNot} \${Silent}
      MessageBox MB_ICONSTOP|MB_OK $(NotAdministrator)
    \${EndIf}
    SetErrorLevel ${INSTALLER_EXIT.notAdministrator}
    Quit
  \${EndIf}
FunctionEnd

Function un.KeepOutboxPage
  !insertmacro MUI_HEADER_TEXT $(UninstallTitle) $(UninstallSubtitle)
  nsDialogs::Create 1018
  Pop $R0
  \${NSD_CreateCheckbox} 0 0 100% 12u $(KeepOutbox)
  Pop $KeepOutboxBox
  \${If} $KeepOutbox == 1
    \${NSD_Check} $KeepOutboxBox
  \${EndIf}
  nsDialogs::Show
FunctionEnd

Function un.KeepOutboxPageLeave
  \${NSD_GetState} $KeepOutboxBox $R0
  StrCpy $KeepOutbox 0
  \${If} $R0 == \${BST_CHECKED}
    StrCpy $KeepOutbox 1
  \${EndIf}
FunctionEnd

; Runs the command line on the stack; the uninstaller goes on whatever it answers.
Function un.Run
  Exch $R9
  DetailPrint "> $R9"
  nsExec::ExecToLog /OEM $R9
  Pop $R8
  DetailPrint "  exit $R8"
  Pop $R9
FunctionEnd

; Everything under the settings folder but the outbox (agent/outbox.ts): its queued reports and their count.
Function un.KeepOnlyOutbox
${l.keptWithOutbox.map(keepOnly).join('\n')}
FunctionEnd

Section "Uninstall"
  ; agent/service.ts windowsUninstallCommands: end the task, then delete it.
${l.uninstallCommands.map((command) => `  Push ${q(command)}\n  Call un.Run`).join('\n')}
  ; File by file rather than RMDir /r $INSTDIR: an uninstaller copied elsewhere must not empty that folder.
  ; What Windows still holds open goes at the next restart.
  Delete /REBOOTOK ${q(l.executable)}
  Delete /REBOOTOK ${q(l.uninstaller)}
  RMDir /r /REBOOTOK ${q(l.bundleDir)}
  RMDir /REBOOTOK "$INSTDIR"
  \${If} $KeepOutbox == 1
    Call un.KeepOnlyOutbox
  \${Else}
    RMDir /r ${q(l.settingsDir)}
  \${EndIf}
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd
`;
}
