import {
  INSTALLER_EXIT,
  INSTALLER_SWITCHES,
  NSIS_VARIABLES,
  nsisString as q,
  type InstallerScriptInput,
} from './windows-installer-layout.ts';

/*
 * The Windows installer's helpers (log, run, fail, the switch parser) and its .onInit, as NSIS text
 * (docs/decisions/182-windows-installer.md).
 */

/**
 * The switch parser, for the installer and the uninstaller: FileFunc's GetOptions ends a value at the next
 * character like the switch's first, `/`, and so cuts /SERVER=https://… short.
 */
const switchValue = `
; The value of the switch $R1 (such as /SERVER=) on the command line $R0, in $R2: up to the next space, or
; within double quotes (/SERVER="…" or "/SERVER=…"). The error flag is set when the switch is not there.
!macro SwitchValue un
Function \${un}SwitchValue
  ClearErrors
  StrCpy $R2 ""
  StrLen $R3 $R1
  StrCpy $R4 0
  \${Do}
    StrCpy $R5 $R0 $R3 $R4
    \${If} $R5 == ""
      SetErrors
      Return
    \${EndIf}
    StrCpy $R6 " "
    \${If} $R4 > 0
      IntOp $R6 $R4 - 1
      StrCpy $R6 $R0 1 $R6
    \${EndIf}
    \${If} $R6 == '"'
      StrCpy $R6 " "
    \${EndIf}
    \${If} $R5 == $R1
    \${AndIf} $R6 == " "
      \${ExitDo}
    \${EndIf}
    IntOp $R4 $R4 + 1
  \${Loop}
  IntOp $R4 $R4 + $R3
  StrCpy $R2 $R0 "" $R4
  StrCpy $R6 " "
  StrCpy $R5 $R2 1
  \${If} $R5 == '"'
    StrCpy $R2 $R2 "" 1
    StrCpy $R6 '"'
  \${EndIf}
  StrCpy $R4 0
  \${Do}
    StrCpy $R5 $R2 1 $R4
    \${If} $R5 == ""
    \${OrIf} $R5 == $R6
    \${OrIf} $R5 == '"'
      \${ExitDo}
    \${EndIf}
    IntOp $R4 $R4 + 1
  \${Loop}
  StrCpy $R2 $R2 $R4
FunctionEnd
!macroend
`;

/** Log, RunLogged, Fail, Step, .onInit and CheckInput. */
export function installerHelpers(o: InstallerScriptInput): string {
  const l = o.layout;
  return `${switchValue}
; Appends the line on the stack to the log (UTF-16, as Notepad reads it) and to the details window.
Function Log
  Exch $R9
  Push $R8
  Push $R7
  DetailPrint $R9
  CreateDirectory ${q(l.settingsDir)}
  ClearErrors
  FileOpen $R8 ${q(l.log)} a
  \${IfNot} \${Errors}
    FileSeek $R8 0 END $R7
    \${If} $R7 == 0
      FileWriteWord $R8 0xFEFF
    \${EndIf}
    FileWriteUTF16LE $R8 "$R9$\\r$\\n"
    FileClose $R8
  \${EndIf}
  Pop $R7
  Pop $R8
  Pop $R9
FunctionEnd

; Runs the command line on the stack, logging it and what it printed: $0 its exit code ("error" when it could
; not start), $1 its output. Windows' own tools print in the OEM code page.
Function RunLogged
  Exch $R9
  Push "> $R9"
  Call Log
  nsExec::ExecToStack /OEM $R9
  Pop $0
  Pop $1
  \${If} $1 != ""
    Push $1
    Call Log
  \${EndIf}
  Push "  exit $0"
  Call Log
  Pop $R9
FunctionEnd

!insertmacro SwitchValue ""
!insertmacro SwitchValue "un."

; Ends the installer with the exit code on the stack and the message under it: logged, shown unless silent.
Function Fail
  Pop $R0
  Pop $R1
  Push "$R1 (exit $R0)"
  Call Log
  \${IfNot} \${Silent}
    MessageBox MB_ICONSTOP|MB_OK "$R1$\\r$\\n$\\r$\\n$(SeeLog)"
  \${EndIf}
  SetErrorLevel $R0
  Quit
FunctionEnd

; A step of install-service's (agent/service.ts): the installer stops at the first that fails, so the task
; never runs from a folder that was not locked.
Function Step
  Call RunLogged
  \${If} $0 != 0
    Push $(SetupFailed)
    Push ${INSTALLER_EXIT.setupFailed}
    Call Fail
  \${EndIf}
FunctionEnd

Function .onInit
  SetShellVarContext all
  StrCpy $INSTDIR "$PROGRAMFILES64\\santong-agent"
  ReadEnvStr $ProgramDataDir ProgramData
  \${If} $ProgramDataDir == ""
    StrCpy $ProgramDataDir "C:\\ProgramData"
  \${EndIf}
  StrCpy $AgentLang en
  \${If} $LANGUAGE == \${LANG_SIMPCHINESE}
    StrCpy $AgentLang zh-CN
  \${EndIf}
  \${GetParameters} $R0
${(
  [
    ['Server', INSTALLER_SWITCHES.server],
    ['Token', INSTALLER_SWITCHES.token],
    ['Classroom', INSTALLER_SWITCHES.classroom],
  ] as const
)
  .map(([name, option]) => `  StrCpy $R1 "${option}"\n  Call SwitchValue\n  StrCpy $${name} $R2`)
  .join('\n')}
  Push "---- santong-agent ${o.version} setup: $INSTDIR"
  Call Log
  UserInfo::GetAccountType
  Pop $R1
  \${If} $R1 != "Admin"
    Push $(NotAdministrator)
    Push ${INSTALLER_EXIT.notAdministrator}
    Call Fail
  \${EndIf}
  \${If} \${Silent}
    Call CheckInput
    \${If} $R9 != ""
      Push $R9
      Push ${INSTALLER_EXIT.usage}
      Call Fail
    \${EndIf}
  \${EndIf}
FunctionEnd

; What is wrong with the paths and with the server, token and classroom given: $R9, empty when nothing is.
Function CheckInput
  StrCpy $R9 ""
  InitPluginsDir
${(['INSTDIR', 'ProgramDataDir', 'PLUGINSDIR', 'SYSDIR'] as const)
  .map(
    (name) => `  StrLen $R1 $${name}
  \${If} $R1 > ${NSIS_VARIABLES[name]}
    StrCpy $R9 $(PathTooLong)
    Return
  \${EndIf}`,
  )
  .join('\n')}
  \${If} $Token == ""
    \${IfNot} \${FileExists} ${q(l.configPath)}
      StrCpy $R9 $(NeedServerToken)
    \${EndIf}
    Return
  \${EndIf}
  \${If} $Server == ""
    StrCpy $R9 $(NeedServerToken)
    Return
  \${EndIf}
  StrLen $R1 $Server
  StrLen $R2 $Token
  StrLen $R3 $Classroom
  \${If} $R1 > ${NSIS_VARIABLES.Server}
  \${OrIf} $R2 > ${NSIS_VARIABLES.Token}
  \${OrIf} $R3 > ${NSIS_VARIABLES.ClassroomFlag - 20}
    StrCpy $R9 $(BadInput)
    Return
  \${EndIf}
  ; A double quote would end the argument early on the command line that enrolls.
  StrCpy $R1 "$Server$Token$Classroom"
  StrLen $R2 $R1
  StrCpy $R3 0
  \${While} $R3 < $R2
    StrCpy $R4 $R1 1 $R3
    \${If} $R4 == '"'
      StrCpy $R9 $(BadInput)
      Return
    \${EndIf}
    IntOp $R3 $R3 + 1
  \${EndWhile}
FunctionEnd
`;
}
