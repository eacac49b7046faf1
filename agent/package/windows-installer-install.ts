import {
  INSTALLER_EXIT,
  nsisString as q,
  UNINSTALL_KEY,
  type InstallerScriptInput,
} from './windows-installer-layout.ts';

/*
 * Enrolling and installing, as NSIS text (docs/decisions/182-windows-installer.md): the enrollment page and the
 * agent's own enroll, then the section that puts the executable in place, locks the folders and creates the task.
 */

/** The enrollment functions and page, and the install section. */
export function installerSection(o: InstallerScriptInput): string {
  return [enrollment(o), install(o)].join('\n');
}

function enrollment(o: InstallerScriptInput): string {
  const l = o.layout;
  return `
; The executable, once, in the installer's temporary folder: enrollment runs it from there.
Function ExtractAgent
  \${If} $Extracted != 1
    InitPluginsDir
    File ${q(`/oname=${l.staged}`)} ${q(o.executable)}
    StrCpy $Extracted 1
  \${EndIf}
FunctionEnd

; The agent's output (UTF-8, at most 1,000 bytes of it) as an NSIS string in $1.
Function ReadEnrollOutput
  StrCpy $1 ""
  ClearErrors
  FileOpen $R0 ${q(l.enrollOutput)} r
  \${IfNot} \${Errors}
    System::Alloc 1024
    Pop $R1
    System::Call 'kernel32::ReadFile(p R0, p R1, i 1000, *i .R2, p 0)'
    System::Call 'kernel32::MultiByteToWideChar(i 65001, i 0, p R1, i -1, w .r1, i \${NSIS_MAX_STRLEN})'
    System::Free $R1
    FileClose $R0
  \${EndIf}
FunctionEnd

; Enrolls this PC: $0 the agent's exit code, $1 what it said.
Function Enroll
  Call ExtractAgent
  StrCpy $ClassroomFlag ""
  \${If} $Classroom != ""
    StrCpy $ClassroomFlag ' --classroom "$Classroom"'
  \${EndIf}
  Push $(Enrolling)
  Call Log
  Delete ${q(l.enrollOutput)}
  ; The token is not logged: Users may read the log.
  nsExec::Exec ${q(l.enrollCommand)}
  Pop $0
  Call ReadEnrollOutput
  Push $1
  Call Log
  Push "  exit $0"
  Call Log
  \${If} $0 == 0
    StrCpy $Enrolled 1
  \${EndIf}
FunctionEnd

Function EnrollPage
  !insertmacro MUI_HEADER_TEXT $(EnrollTitle) $(EnrollSubtitle)
  nsDialogs::Create 1018
  Pop $R0
  \${NSD_CreateLabel} 0 2u 30% 12u $(ServerLabel)
  Pop $R0
  \${NSD_CreateText} 32% 0 68% 12u $Server
  Pop $ServerField
  \${NSD_CreateLabel} 0 22u 30% 12u $(TokenLabel)
  Pop $R0
  \${NSD_CreateText} 32% 20u 68% 12u $Token
  Pop $TokenField
  \${NSD_CreateLabel} 0 42u 30% 12u $(ClassroomLabel)
  Pop $R0
  \${NSD_CreateText} 32% 40u 68% 12u $Classroom
  Pop $ClassroomField
  \${NSD_CreateLabel} 0 64u 100% 48u $(EnrollNote)
  Pop $R0
  ; Leaving this page enrolls and installs: its button says so.
  GetDlgItem $R0 $HWNDPARENT 1
  SendMessage $R0 \${WM_SETTEXT} 0 "STR:$(^InstallBtn)"
  nsDialogs::Show
FunctionEnd

; Enrolls before anything is installed; a refused token keeps the person on this page with the agent's answer.
Function EnrollPageLeave
  \${NSD_GetText} $ServerField $Server
  \${NSD_GetText} $TokenField $Token
  \${NSD_GetText} $ClassroomField $Classroom
  Call CheckInput
  \${If} $R9 != ""
    MessageBox MB_ICONEXCLAMATION|MB_OK $R9
    Abort
  \${EndIf}
  \${If} $Token != ""
    Call Enroll
    \${If} $0 != 0
      MessageBox MB_ICONSTOP|MB_OK "$(EnrollFailed)$\\r$\\n$\\r$\\n$1"
      Abort
    \${EndIf}
  \${EndIf}
FunctionEnd
`;
}

function install(o: InstallerScriptInput): string {
  const l = o.layout;
  const [end] = l.uninstallCommands;
  return `
; The task of install-service (agent/service.ts windowsTaskXml), in UTF-16 as its first line declares.
Function WriteTaskXml
  FileOpen $R0 ${q(l.xmlPath)} w
  FileWriteWord $R0 0xFEFF
${l.taskXml
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => `  FileWriteUTF16LE $R0 ${q(line, { newline: true })}`)
  .join('\n')}
  FileClose $R0
FunctionEnd

; An upgrade's agent may take a moment to let go of its executable after its task ended.
Function CopyExecutable
  StrCpy $R0 0
  \${Do}
    ClearErrors
    CopyFiles /SILENT ${q(l.staged)} "$INSTDIR"
    \${IfNot} \${Errors}
      Return
    \${EndIf}
    IntOp $R0 $R0 + 1
    \${If} $R0 >= 10
      Push $(CopyFailed)
      Push ${INSTALLER_EXIT.setupFailed}
      Call Fail
    \${EndIf}
    Sleep 1000
  \${Loop}
FunctionEnd

Section "santong-agent"
  SectionIn RO
  ; A silent install enrolls here; the dialog enrolled on its page already.
  \${If} $Enrolled != 1
  \${AndIf} $Token != ""
    Call Enroll
    \${If} $0 != 0
      Push "$(EnrollFailed)$\\r$\\n$1"
      Push ${INSTALLER_EXIT.enrollFailed}
      Call Fail
    \${EndIf}
  \${EndIf}
  Call ExtractAgent
  ; An upgrade: the running agent holds its executable open. On a first install there is no task to end.
  Push ${q(end!)}
  Call RunLogged
  CreateDirectory ${q(l.bundleDir)}
  Call CopyExecutable
  WriteUninstaller ${q(l.uninstaller)}
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "santong-agent"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${o.version}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "santong"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" ${q(l.executable)}
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" ${q(`"${l.uninstaller}"`)}
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" ${q(`"${l.uninstaller}" /S`)}
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" ${o.executableKiB}
  Call WriteTaskXml
  ; install-service's commands (agent/service.ts windowsInstallCommands): lock the program folder (agent\\ within)
  ; and the settings folder, check that they are locked, keep the settings file from Users, then the task.
${l.installCommands.map((command) => `  Push ${q(command)}\n  Call Step`).join('\n')}
  Push $(Installed)
  Call Log
SectionEnd
`;
}
